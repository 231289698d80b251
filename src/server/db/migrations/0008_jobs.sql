-- Scheduled processing (issue 6; CIRC-10, PAT-10). Background work runs from this table in the
-- same database, claimed with FOR UPDATE SKIP LOCKED by a worker loop that the server starts and
-- that can also run as its own process (`npm run worker`). Jobs are network-wide work items, a
-- small reference-like table: they are not keyed by institution (each job's batches touch the
-- institution-keyed operational rows).
CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL,
  run_at timestamptz NOT NULL DEFAULT now(),
  -- The day a daily job was scheduled for (UTC); null for a one-off job.
  scheduled_day date,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  locked_by text,
  -- A running job whose lease has passed (its worker died) is claimed again; the runner
  -- extends the lease after every batch.
  locked_until timestamptz,
  last_error text,
  payload jsonb NOT NULL DEFAULT '{}',
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  CHECK ((status = 'running') = (locked_until IS NOT NULL))
);
-- The daily schedule: each kind exists once per scheduled day (an idempotent insert).
CREATE UNIQUE INDEX jobs_one_per_kind_and_day ON jobs (kind, scheduled_day) WHERE scheduled_day IS NOT NULL;
CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('pending', 'running');

-- PAT-10: closed loans are anonymised after this many days; CIRC-10: courtesy notices go out
-- this many days before the due date. Both per owning institution.
ALTER TABLE institutions ADD COLUMN anonymise_loans_after_days integer NOT NULL DEFAULT 365
  CHECK (anonymise_loans_after_days >= 0);
ALTER TABLE institutions ADD COLUMN courtesy_notice_days integer NOT NULL DEFAULT 3
  CHECK (courtesy_notice_days >= 0);

-- The jobs' scans: active loans by owner in key order (keyset pagination), closed loans not yet
-- anonymised, requests on the hold shelf by expiry.
CREATE INDEX loans_returned_not_anonymised ON loans (institution_id, id) WHERE status = 'returned' AND anonymised_at IS NULL;
CREATE INDEX item_history_loan ON item_history (institution_id, loan_id) WHERE loan_id IS NOT NULL;
CREATE INDEX requests_on_hold_shelf ON requests (hold_shelf_expires_at) WHERE status = 'on_hold_shelf';
