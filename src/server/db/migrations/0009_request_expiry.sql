-- Request expiry (CIRC-7 `expired`, CIRC-10 "request expiry"). A patron (or staff for them) may
-- say a request is not needed after a day; the daily `request_expiry` job closes a request still
-- waiting (not_started) once that day has passed in the owner's time zone. A request already
-- picked, in transit or on the hold shelf is not expired by it (the hold shelf expiry handles
-- the shelf). Null: needed until filled or cancelled. The letter reuses `request_cancelled`.
ALTER TABLE requests ADD COLUMN not_needed_after date;

-- The job's scan: waiting requests with a date, in key order.
CREATE INDEX requests_not_needed_after ON requests (institution_id, id)
  WHERE status = 'not_started' AND not_needed_after IS NOT NULL;
