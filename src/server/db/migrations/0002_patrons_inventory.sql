-- Patron records (PAT-1) and inventory with the network-wide work key (CIRC-1, GET-1).
-- Issue 3. Everything here is owned by one institution and keyed by it first.

-- PAT-1: the patron record, completing the core made by 0001 for sign-in.
ALTER TABLE patrons
  ADD COLUMN middle_name text NOT NULL DEFAULT '',
  ADD COLUMN preferred_name text,
  ADD COLUMN emails jsonb NOT NULL DEFAULT '[]',     -- [{ address, type, preferred }]
  ADD COLUMN phones jsonb NOT NULL DEFAULT '[]',     -- [{ number, type, preferred }]
  ADD COLUMN addresses jsonb NOT NULL DEFAULT '[]',  -- [{ lines[], city, region, postalCode, country, type, preferred }]
  ADD COLUMN general_note text NOT NULL DEFAULT '',  -- "general information", shared with linked accounts (PAT-3)
  ADD COLUMN purge_date date,
  ADD COLUMN cross_consortia_id text,
  ADD COLUMN search_text text NOT NULL DEFAULT '';   -- names and identifiers, lower-cased and unaccented by the app
ALTER TABLE patrons ALTER COLUMN expiry_date SET DEFAULT NULL;
CREATE UNIQUE INDEX patrons_cross_consortia_id ON patrons (institution_id, cross_consortia_id) WHERE cross_consortia_id IS NOT NULL;
CREATE INDEX patrons_last_name ON patrons (institution_id, lower(last_name));

-- PAT-1 other identifiers (barcode, university ID, ...); unique per institution and type.
CREATE TABLE patron_identifiers (
  institution_id uuid NOT NULL,
  patron_id uuid NOT NULL,
  id_type text NOT NULL CHECK (id_type ~ '^[A-Z0-9_]{1,32}$'),
  value text NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
  PRIMARY KEY (institution_id, id_type, value),
  FOREIGN KEY (institution_id, patron_id) REFERENCES patrons (institution_id, id) ON DELETE CASCADE
);
CREATE INDEX patron_identifiers_patron ON patron_identifiers (institution_id, patron_id);
CREATE INDEX patron_identifiers_value ON patron_identifiers (value);

-- PAT-1 / PAT-7 blocks. A removed block keeps its row (who lifted it, when).
CREATE TABLE patron_blocks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  patron_id uuid NOT NULL,
  block_type text NOT NULL CHECK (block_type ~ '^[A-Z0-9_]{1,32}$'),
  reason text NOT NULL DEFAULT '',
  network_block boolean NOT NULL DEFAULT false,   -- PAT-7: carried to linked accounts elsewhere
  expires_at timestamptz,
  created_by uuid REFERENCES staff(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  removed_by uuid REFERENCES staff(id),
  removed_at timestamptz,
  FOREIGN KEY (institution_id, patron_id) REFERENCES patrons (institution_id, id) ON DELETE CASCADE
);
CREATE INDEX patron_blocks_active ON patron_blocks (institution_id, patron_id) WHERE removed_at IS NULL;

-- CIRC-1 bibliographic records. `work_key` clusters the same work across members (GET-1).
CREATE TABLE bib_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  source_id text,                 -- the record's own control number (001) or import key
  work_key text NOT NULL,
  title text NOT NULL,
  subtitle text NOT NULL DEFAULT '',
  author text NOT NULL DEFAULT '',
  publisher text NOT NULL DEFAULT '',
  publication_year integer,
  edition text NOT NULL DEFAULT '',
  language char(3),
  format text NOT NULL DEFAULT 'book',   -- from the leader: book, serial, score, sound, video, map, ...
  isbns text[] NOT NULL DEFAULT '{}',    -- normalised ISBN-13
  issns text[] NOT NULL DEFAULT '{}',
  oclc_numbers text[] NOT NULL DEFAULT '{}',
  subjects text[] NOT NULL DEFAULT '{}',
  marc jsonb,                            -- the record as imported (leader, fields)
  content_hash text,                     -- re-import of an unchanged record changes nothing
  search_document tsvector,
  withdrawn_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (institution_id, id)
);
CREATE UNIQUE INDEX bib_records_source ON bib_records (institution_id, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX bib_records_work_key ON bib_records (work_key);
CREATE INDEX bib_records_search ON bib_records USING gin (search_document);

CREATE TABLE holdings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  bib_id uuid NOT NULL,
  library_id uuid NOT NULL,
  location_id uuid NOT NULL,
  call_number text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (institution_id, id),
  FOREIGN KEY (institution_id, bib_id) REFERENCES bib_records (institution_id, id),
  FOREIGN KEY (institution_id, library_id) REFERENCES libraries (institution_id, id),
  FOREIGN KEY (institution_id, location_id) REFERENCES locations (institution_id, id)
);
CREATE INDEX holdings_bib ON holdings (institution_id, bib_id);

-- CIRC-1 items. status: in place or not; process_type says why not (loan, transit, ...).
CREATE TABLE items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  holding_id uuid NOT NULL,
  bib_id uuid NOT NULL,
  barcode text NOT NULL CHECK (length(barcode) BETWEEN 1 AND 64),
  material_type_id uuid NOT NULL,
  item_policy_id uuid NOT NULL,
  enumeration text NOT NULL DEFAULT '',   -- volume / issue (CIRC-7: one request per work and volume)
  chronology text NOT NULL DEFAULT '',
  description text NOT NULL DEFAULT '',
  in_place boolean NOT NULL DEFAULT true,
  process_type text CHECK (process_type IN ('loan', 'requested', 'transit', 'hold_shelf', 'missing', 'lost',
    'claimed_returned', 'technical')),
  withdrawn_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (institution_id, barcode),
  UNIQUE (institution_id, id),
  CHECK (in_place = (process_type IS NULL)),
  FOREIGN KEY (institution_id, holding_id) REFERENCES holdings (institution_id, id),
  FOREIGN KEY (institution_id, bib_id) REFERENCES bib_records (institution_id, id),
  FOREIGN KEY (institution_id, material_type_id) REFERENCES material_types (institution_id, id),
  FOREIGN KEY (institution_id, item_policy_id) REFERENCES item_policies (institution_id, id)
);
CREATE INDEX items_holding ON items (institution_id, holding_id);
CREATE INDEX items_bib ON items (institution_id, bib_id);
-- FN-9: recognising another member's barcode across the network.
CREATE INDEX items_barcode ON items (barcode);

-- MARC import runs: what was read, loaded, unchanged and refused, record by record.
CREATE TABLE import_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  file_name text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  records_read integer NOT NULL DEFAULT 0,
  records_created integer NOT NULL DEFAULT 0,
  records_updated integer NOT NULL DEFAULT 0,
  records_unchanged integer NOT NULL DEFAULT 0,
  records_rejected integer NOT NULL DEFAULT 0,
  problems jsonb NOT NULL DEFAULT '[]'    -- [{ position, offset, reason }]
);
