-- Loans, returns, overdue fees, item history and the letters outbox (issue 4; CIRC-4..6,
-- CIRC-11, CIRC-12, CIRC-13). A loan belongs to the item's owner (INV-6) and names the desk
-- and institution where it was made, which may be another member's (FN-5).

CREATE TABLE loans (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,            -- the owner of the item: its policies, fines, letters
  item_id uuid NOT NULL,
  patron_id uuid NOT NULL,                 -- the patron record at the owner (own patron or linked account)
  terms_of_use_id uuid NOT NULL,
  desk_id uuid NOT NULL REFERENCES circulation_desks(id),
  desk_institution_id uuid NOT NULL REFERENCES institutions(id),
  desk_library_id uuid NOT NULL REFERENCES libraries(id),
  loaned_by uuid REFERENCES staff(id),
  loaned_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL,
  renewals_used integer NOT NULL DEFAULT 0 CHECK (renewals_used >= 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'returned', 'lost', 'claimed_returned')),
  returned_at timestamptz,
  return_desk_id uuid REFERENCES circulation_desks(id),
  return_institution_id uuid REFERENCES institutions(id),
  returned_by uuid REFERENCES staff(id),
  anonymised_at timestamptz,
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, item_id) REFERENCES items (institution_id, id),
  FOREIGN KEY (institution_id, patron_id) REFERENCES patrons (institution_id, id),
  FOREIGN KEY (institution_id, terms_of_use_id) REFERENCES terms_of_use (institution_id, id),
  CHECK ((status = 'returned') = (returned_at IS NOT NULL)),
  CHECK (due_at > loaned_at)
);
-- INV-1: at most one loan per item that still holds it (active, lost or claimed returned).
CREATE UNIQUE INDEX loans_one_open_per_item ON loans (institution_id, item_id) WHERE status <> 'returned';
CREATE INDEX loans_patron_open ON loans (institution_id, patron_id) WHERE status <> 'returned';
CREATE INDEX loans_due ON loans (due_at) WHERE status = 'active';

-- CIRC-11: fees belong to the owning institution; money in minor units. INV-5 ties balance
-- to transactions (the transactions table comes with the fees issue); INV-4: one overdue
-- fine per loan.
CREATE TABLE fees (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  patron_id uuid NOT NULL,
  loan_id uuid,
  item_id uuid,
  fee_type text NOT NULL CHECK (fee_type IN ('overdue_fine', 'lost_item_replacement', 'lost_item_processing',
    'renewal_fee', 'credit', 'other')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  currency char(3) NOT NULL,
  original_minor bigint NOT NULL CHECK (original_minor >= 0),
  balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, patron_id) REFERENCES patrons (institution_id, id),
  FOREIGN KEY (institution_id, loan_id) REFERENCES loans (institution_id, id),
  CHECK ((status = 'closed') = (balance_minor = 0)),
  CHECK (balance_minor <= original_minor)
);
CREATE UNIQUE INDEX fees_one_overdue_per_loan ON fees (institution_id, loan_id) WHERE fee_type = 'overdue_fine';
CREATE INDEX fees_patron ON fees (institution_id, patron_id) WHERE status = 'active';

-- CIRC-13: item history, kept by the owner. patron_id is cleared by anonymisation (PAT-10).
CREATE TABLE item_history (
  id bigint GENERATED ALWAYS AS IDENTITY,
  institution_id uuid NOT NULL,            -- the owner of the item
  item_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL,                     -- loan, renew, return, override, scan_in, transit, request, ...
  acting_institution_id uuid REFERENCES institutions(id),
  library_id uuid REFERENCES libraries(id),
  desk_id uuid REFERENCES circulation_desks(id),
  operator_staff_id uuid REFERENCES staff(id),
  patron_id uuid,
  loan_id uuid,
  details jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, item_id) REFERENCES items (institution_id, id)
);
CREATE INDEX item_history_item ON item_history (institution_id, item_id, at);

-- CIRC-12: the transactional outbox of letters, written in the same transaction as the event,
-- from the institution that owns the loan or request. Delivery comes with the letters issue.
CREATE TABLE letters (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  patron_id uuid NOT NULL,
  letter_type text NOT NULL CHECK (letter_type IN ('loan_receipt', 'return_receipt', 'hold_available',
    'hold_shelf_reminder', 'courtesy', 'overdue', 'lost', 'request_cancelled')),
  to_address text,
  subject text NOT NULL,
  body text NOT NULL,
  message_id text NOT NULL,                -- stable: the same letter is never sent twice under two ids
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (institution_id, id),
  UNIQUE (message_id),
  FOREIGN KEY (institution_id, patron_id) REFERENCES patrons (institution_id, id),
  CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX letters_pending ON letters (created_at) WHERE status = 'pending';
CREATE INDEX letters_patron ON letters (institution_id, patron_id, created_at);
