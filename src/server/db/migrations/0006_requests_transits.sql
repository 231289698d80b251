-- Requests, the hold shelf and transits (issue 5; CIRC-6..CIRC-9, INV-1..INV-4, INV-6).
-- A request and a transit belong to the OWNER of the item (INV-6), whichever member's desk or
-- patron placed it; both lead their keys with institution_id (architecture.md).

-- CIRC-7: a request. The queue is per (owner, bibliographic record, volume): `queue_position`
-- is set on active requests only, 1..n without gaps (INV-3). A title request is *targeted* at
-- one copy (`item_id` while not_started); an item request names its item from the start.
CREATE TABLE requests (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,            -- the owner of the requested inventory (INV-6)
  patron_id uuid NOT NULL,                 -- the patron record at the owner (own patron or linked account)
  bib_id uuid NOT NULL,
  work_key text NOT NULL,                  -- GET-1: one active request per patron per work and volume (INV-4)
  volume text NOT NULL DEFAULT '',         -- the items' enumeration this request is for
  item_id uuid,                            -- the targeted (title) or requested (item) copy
  request_type text NOT NULL CHECK (request_type IN ('hold', 'page')),
  level text NOT NULL CHECK (level IN ('title', 'item')),
  pickup_institution_id uuid NOT NULL REFERENCES institutions(id),
  pickup_library_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_process', 'in_transit',
    'on_hold_shelf', 'completed', 'cancelled', 'expired')),
  queue_position integer CHECK (queue_position > 0),
  placed_at timestamptz NOT NULL DEFAULT now(),
  placed_by uuid REFERENCES staff(id),     -- staff placing it for the patron; null: the patron
  hold_shelf_expires_at timestamptz,
  -- CIRC-8: a request closed while its item sat on the hold shelf keeps the item on the
  -- pickup library's expired hold shelf list until the item is scanned (or lent).
  shelf_cleared_at timestamptz,
  completed_loan_id uuid,
  cancel_reason text,
  closed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, patron_id) REFERENCES patrons (institution_id, id),
  FOREIGN KEY (institution_id, bib_id) REFERENCES bib_records (institution_id, id),
  FOREIGN KEY (institution_id, item_id) REFERENCES items (institution_id, id),
  FOREIGN KEY (institution_id, completed_loan_id) REFERENCES loans (institution_id, id),
  FOREIGN KEY (pickup_institution_id, pickup_library_id) REFERENCES libraries (institution_id, id),
  -- INV-3: an active request has a place in its queue and is open; a closed one has neither.
  CHECK ((status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf')) = (queue_position IS NOT NULL)),
  CHECK ((status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf')) = (closed_at IS NULL)),
  -- INV-3: picked, in transit or on the shelf: exactly one item; completed: its loan.
  CHECK (status NOT IN ('in_process', 'in_transit', 'on_hold_shelf') OR item_id IS NOT NULL),
  CHECK ((status = 'completed') = (completed_loan_id IS NOT NULL)),
  CHECK (status <> 'on_hold_shelf' OR hold_shelf_expires_at IS NOT NULL),
  CHECK (level <> 'item' OR item_id IS NOT NULL),
  CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
-- INV-3: no two active requests in one place of a queue. Deferred to commit, so that closing up
-- the queue (every later request moves up one) may pass through a moment of duplicates.
ALTER TABLE requests ADD CONSTRAINT requests_queue_positions_unique
  EXCLUDE USING btree (institution_id WITH =, bib_id WITH =, volume WITH =, queue_position WITH =)
  WHERE (queue_position IS NOT NULL) DEFERRABLE INITIALLY DEFERRED;
-- INV-4: one active request per patron per work and volume.
CREATE UNIQUE INDEX requests_one_active_per_patron_work ON requests (institution_id, patron_id, work_key, volume)
  WHERE status IN ('not_started', 'in_process', 'in_transit', 'on_hold_shelf');
-- INV-1: at most one request holds an item (picked, in transit for it, or on the shelf with it).
CREATE UNIQUE INDEX requests_one_holding_per_item ON requests (institution_id, item_id)
  WHERE status IN ('in_process', 'in_transit', 'on_hold_shelf');
-- CIRC-7: a title request targets a copy nobody else's title request targets.
CREATE UNIQUE INDEX requests_one_title_target_per_item ON requests (institution_id, item_id)
  WHERE status = 'not_started' AND level = 'title' AND item_id IS NOT NULL;
CREATE INDEX requests_queue ON requests (institution_id, bib_id, volume, queue_position)
  WHERE queue_position IS NOT NULL;
CREATE INDEX requests_patron ON requests (institution_id, patron_id) WHERE closed_at IS NULL;
CREATE INDEX requests_item ON requests (institution_id, item_id) WHERE item_id IS NOT NULL;
CREATE INDEX requests_pickup ON requests (pickup_library_id, status);

-- CIRC-9: a transit of an item between two libraries, possibly of another institution.
CREATE TABLE transits (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,            -- the owner of the item (INV-6)
  item_id uuid NOT NULL,
  from_library_id uuid NOT NULL REFERENCES libraries(id),
  to_library_id uuid NOT NULL REFERENCES libraries(id),
  reason text NOT NULL CHECK (reason IN ('request', 'return_to_owner', 'home_library')),
  request_id uuid,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'received', 'cancelled')),
  sent_at timestamptz NOT NULL DEFAULT now(),
  expected_arrival_at timestamptz NOT NULL,
  received_at timestamptz,
  cancelled_at timestamptz,
  sent_desk_id uuid REFERENCES circulation_desks(id),
  received_desk_id uuid REFERENCES circulation_desks(id),
  sent_by uuid REFERENCES staff(id),
  received_by uuid REFERENCES staff(id),
  cancelled_by uuid REFERENCES staff(id),
  cancel_reason text,
  PRIMARY KEY (institution_id, id),
  FOREIGN KEY (institution_id, item_id) REFERENCES items (institution_id, id),
  FOREIGN KEY (institution_id, request_id) REFERENCES requests (institution_id, id),
  CHECK ((reason = 'request') = (request_id IS NOT NULL)),
  CHECK ((status = 'received') = (received_at IS NOT NULL)),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  CHECK (expected_arrival_at >= sent_at)
);
-- INV-1 / CIRC-9: at most one open transit per item.
CREATE UNIQUE INDEX transits_one_open_per_item ON transits (institution_id, item_id) WHERE status = 'open';
CREATE INDEX transits_to ON transits (to_library_id, sent_at) WHERE status = 'open';
CREATE INDEX transits_from ON transits (from_library_id, sent_at) WHERE status = 'open';

-- CIRC-12 / CIRC-7 / CIRC-8: the patron is told when a hold shelf expires and when no copy is
-- left for a request.
ALTER TABLE letters DROP CONSTRAINT letters_letter_type_check;
ALTER TABLE letters ADD CONSTRAINT letters_letter_type_check CHECK (letter_type IN ('loan_receipt',
  'return_receipt', 'hold_available', 'hold_shelf_reminder', 'hold_expired', 'courtesy', 'overdue', 'lost',
  'request_cancelled', 'request_unfillable'));
