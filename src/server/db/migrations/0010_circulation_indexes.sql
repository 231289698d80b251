-- Indexes found missing by the consortium-scale benchmark (issue 8; docs/benchmarks.md), at
-- 100 institutions, 1 million items and 300,000 active loans.

-- CIRC-2 loan limits: a patron's active loans at every member (the network limit counts them
-- all), read under the patron lock by every loan. loans_patron_open leads with institution_id,
-- so this query had to walk the whole index: 30 ms per loan, serialising lending.
CREATE INDEX loans_patron_active ON loans (patron_id) WHERE status = 'active';

-- CIRC-7: a title's active queue, read by every loan, return and renewal of its copies.
-- requests_queue is partial on queue_position, which the planner cannot infer from the status
-- list, so the queue was found by scanning the owner's requests.
CREATE INDEX requests_active_queue ON requests (institution_id, bib_id, volume)
  WHERE status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf');
