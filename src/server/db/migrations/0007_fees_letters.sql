-- Fees with transactions and letters delivered by SMTP (issue 6; CIRC-11, CIRC-12, INV-5, INV-7).

-- CIRC-11: every change of a fee's balance is a transaction with who and when. INV-5: a fee's
-- balance equals its original amount minus its payments and waivers. A refund gives back money
-- that was paid and never reopens the fee: the amount refunded is forgiven, not owed again, so
-- it leaves the balance as it is (refunds of a fee never exceed its payments).
CREATE TABLE fee_transactions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  fee_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('payment', 'waive', 'refund')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  reason text,
  method text,
  staff_id uuid REFERENCES staff(id),     -- null when the system acted (a lost item returned at no desk)
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, fee_id) REFERENCES fees (institution_id, id),
  CHECK (kind <> 'waive' OR (reason IS NOT NULL AND length(btrim(reason)) > 0))
);
CREATE INDEX fee_transactions_fee ON fee_transactions (institution_id, fee_id, at);

-- CIRC-11: a claimed-returned loan stops accruing from this moment and is listed for staff.
ALTER TABLE loans ADD COLUMN claimed_returned_at timestamptz;
CREATE INDEX loans_claimed_returned ON loans (institution_id, claimed_returned_at) WHERE status = 'claimed_returned';

-- CIRC-12: the institution's sender (default library@<code>.example) and its letter templates.
ALTER TABLE institutions ADD COLUMN letters_from text;
CREATE TABLE letter_templates (
  institution_id uuid NOT NULL REFERENCES institutions(id),
  letter_type text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (institution_id, letter_type)
);

-- CIRC-12 / INV-7: the sender chosen when the letter was written, and when to try again
-- (exponential backoff after a failed attempt).
ALTER TABLE letters ADD COLUMN from_address text;
ALTER TABLE letters ADD COLUMN next_attempt_at timestamptz;
UPDATE letters SET next_attempt_at = created_at;
ALTER TABLE letters ALTER COLUMN next_attempt_at SET NOT NULL;
ALTER TABLE letters ALTER COLUMN next_attempt_at SET DEFAULT now();
DROP INDEX letters_pending;
CREATE INDEX letters_pending ON letters (next_attempt_at) WHERE status = 'pending';
