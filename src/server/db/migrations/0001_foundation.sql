-- Foundation: networks, institutions and their configuration, staff, roles, sessions,
-- API tokens and the audit trail (issue 2; NET-1..NET-7, PAT-4, CIRC-2).
--
-- Keys (architecture.md): networks, institutions, libraries, desks, locations, calendars,
-- transit times and relations are small reference tables with a uuid key. Rows that an
-- institution owns carry institution_id and lead their unique keys with it, so the
-- operational schema can later be distributed by institution_id.

CREATE TABLE networks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE institutions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone text NOT NULL,
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  address text,
  email text,
  -- NET-4 / NET-5: network settings of the institution
  cross_consortia_ids_enabled boolean NOT NULL DEFAULT false,
  searchable_identifier_types text[] NOT NULL DEFAULT '{}',
  discovery_exposure text NOT NULL DEFAULT 'request'
    CHECK (discovery_exposure IN ('availability', 'holdings', 'request')),
  remote_registration_mode text NOT NULL DEFAULT 'manual'
    CHECK (remote_registration_mode IN ('none', 'manual', 'auto')),
  accepts_network_title_requests boolean NOT NULL DEFAULT true,
  prefer_home_copy boolean NOT NULL DEFAULT true,
  guest_user_group_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- NET-2: membership keeps its history; an institution that leaves gets left_at and
-- may join again later. At most one open membership per (network, institution).
CREATE TABLE network_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  network_id uuid NOT NULL REFERENCES networks(id),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  joined_at timestamptz NOT NULL DEFAULT now(),
  left_at timestamptz,
  CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE UNIQUE INDEX network_members_one_open ON network_members (network_id, institution_id) WHERE left_at IS NULL;
CREATE INDEX network_members_institution ON network_members (institution_id);

-- NET-3: relations per network and ordered pair (owner, other). A missing row means the
-- default: everything allowed between members.
CREATE TABLE network_relations (
  network_id uuid NOT NULL REFERENCES networks(id),
  owner_institution_id uuid NOT NULL REFERENCES institutions(id),
  other_institution_id uuid NOT NULL REFERENCES institutions(id),
  walk_in_loans boolean NOT NULL DEFAULT true,
  pickup boolean NOT NULL DEFAULT true,
  return_anywhere boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (network_id, owner_institution_id, other_institution_id),
  CHECK (owner_institution_id <> other_institution_id)
);

CREATE TABLE libraries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- NULL: the institution's time zone (NET-6)
  time_zone text,
  serves_other_institutions boolean NOT NULL DEFAULT false,
  address text,
  email text,
  phone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (institution_id, code),
  UNIQUE (institution_id, id)
);

-- NET-6 calendar: weekly opening hours and closed days per library.
CREATE TABLE library_opening_hours (
  library_id uuid NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 Monday .. 7 Sunday
  opens time NOT NULL,
  closes time NOT NULL,
  CHECK (closes > opens),
  PRIMARY KEY (library_id, weekday)
);

CREATE TABLE library_closed_days (
  library_id uuid NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
  day date NOT NULL,
  reason text NOT NULL DEFAULT '',
  PRIMARY KEY (library_id, day)
);

CREATE TABLE circulation_desks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  library_id uuid NOT NULL,
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (library_id, code),
  FOREIGN KEY (institution_id, library_id) REFERENCES libraries (institution_id, id)
);

CREATE TABLE locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL,
  library_id uuid NOT NULL,
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (library_id, code),
  UNIQUE (institution_id, id),
  FOREIGN KEY (institution_id, library_id) REFERENCES libraries (institution_id, id)
);

-- NET-6: which library may lend or deliver for which, inside one institution.
CREATE TABLE library_relations (
  institution_id uuid NOT NULL,
  library_id uuid NOT NULL,
  for_library_id uuid NOT NULL,
  lends boolean NOT NULL DEFAULT true,
  delivers boolean NOT NULL DEFAULT true,
  PRIMARY KEY (institution_id, library_id, for_library_id),
  FOREIGN KEY (institution_id, library_id) REFERENCES libraries (institution_id, id),
  FOREIGN KEY (institution_id, for_library_id) REFERENCES libraries (institution_id, id),
  CHECK (library_id <> for_library_id)
);

-- NET-6: days between any two libraries, also across institutions.
CREATE TABLE transit_times (
  from_library_id uuid NOT NULL REFERENCES libraries(id),
  to_library_id uuid NOT NULL REFERENCES libraries(id),
  days smallint NOT NULL CHECK (days BETWEEN 0 AND 365),
  PRIMARY KEY (from_library_id, to_library_id),
  CHECK (from_library_id <> to_library_id)
);

CREATE TABLE user_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  UNIQUE (institution_id, code),
  UNIQUE (institution_id, id)
);

ALTER TABLE institutions
  ADD CONSTRAINT institutions_guest_group FOREIGN KEY (id, guest_user_group_id)
  REFERENCES user_groups (institution_id, id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE item_policies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  UNIQUE (institution_id, code),
  UNIQUE (institution_id, id)
);

CREATE TABLE material_types (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  UNIQUE (institution_id, code),
  UNIQUE (institution_id, id)
);

-- CIRC-2: a terms-of-use record, picked by the rules below. Money in minor units.
CREATE TABLE terms_of_use (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  loanable boolean NOT NULL DEFAULT true,
  loan_period_unit text NOT NULL DEFAULT 'days' CHECK (loan_period_unit IN ('days', 'hours')),
  loan_period integer CHECK (loan_period > 0),
  fixed_due_date date,
  renewals_allowed integer NOT NULL DEFAULT 0 CHECK (renewals_allowed >= 0),
  renewal_period integer CHECK (renewal_period > 0),
  overdue_fine_per_day_minor bigint NOT NULL DEFAULT 0 CHECK (overdue_fine_per_day_minor >= 0),
  overdue_grace_days integer NOT NULL DEFAULT 0 CHECK (overdue_grace_days >= 0),
  overdue_fine_max_minor bigint CHECK (overdue_fine_max_minor >= 0),
  days_overdue_until_lost integer CHECK (days_overdue_until_lost > 0),
  lost_replacement_fee_minor bigint NOT NULL DEFAULT 0 CHECK (lost_replacement_fee_minor >= 0),
  lost_processing_fee_minor bigint NOT NULL DEFAULT 0 CHECK (lost_processing_fee_minor >= 0),
  refund_replacement_fee_on_return boolean NOT NULL DEFAULT true,
  refund_processing_fee_on_return boolean NOT NULL DEFAULT false,
  hold_shelf_days integer NOT NULL DEFAULT 7 CHECK (hold_shelf_days > 0),
  requests_allowed boolean NOT NULL DEFAULT true,
  pickup_location_policy text NOT NULL DEFAULT 'any_library'
    CHECK (pickup_location_policy IN ('own_library', 'any_library', 'any_institution')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (institution_id, code),
  UNIQUE (institution_id, id),
  -- a loanable record needs a loan period or a fixed due date
  CHECK (NOT loanable OR loan_period IS NOT NULL OR fixed_due_date IS NOT NULL),
  CHECK (renewals_allowed = 0 OR renewal_period IS NOT NULL OR fixed_due_date IS NOT NULL)
);

-- CIRC-2: rules user group x item policy x material type x location -> terms of use.
-- NULL criteria match anything. Exactly one fallback rule per institution, with no criteria.
CREATE TABLE terms_of_use_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  priority integer NOT NULL DEFAULT 100,
  user_group_id uuid,
  item_policy_id uuid,
  material_type_id uuid,
  location_id uuid,
  terms_of_use_id uuid NOT NULL,
  is_fallback boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (institution_id, user_group_id) REFERENCES user_groups (institution_id, id),
  FOREIGN KEY (institution_id, item_policy_id) REFERENCES item_policies (institution_id, id),
  FOREIGN KEY (institution_id, material_type_id) REFERENCES material_types (institution_id, id),
  FOREIGN KEY (institution_id, location_id) REFERENCES locations (institution_id, id),
  FOREIGN KEY (institution_id, terms_of_use_id) REFERENCES terms_of_use (institution_id, id),
  CHECK (NOT is_fallback OR (user_group_id IS NULL AND item_policy_id IS NULL
    AND material_type_id IS NULL AND location_id IS NULL))
);
CREATE UNIQUE INDEX terms_of_use_rules_one_fallback ON terms_of_use_rules (institution_id) WHERE is_fallback;
CREATE INDEX terms_of_use_rules_institution ON terms_of_use_rules (institution_id, priority);

-- CIRC-2 loan limits: per user group and material type at the institution (scope
-- 'institution'), or a patron's loans across all members (scope 'network').
CREATE TABLE loan_limits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  scope text NOT NULL DEFAULT 'institution' CHECK (scope IN ('institution', 'network')),
  user_group_id uuid,
  material_type_id uuid,
  max_loans integer NOT NULL CHECK (max_loans >= 0),
  FOREIGN KEY (institution_id, user_group_id) REFERENCES user_groups (institution_id, id),
  FOREIGN KEY (institution_id, material_type_id) REFERENCES material_types (institution_id, id),
  CHECK (scope = 'institution' OR material_type_id IS NULL)
);
CREATE UNIQUE INDEX loan_limits_unique ON loan_limits (institution_id, scope,
  coalesce(user_group_id, '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce(material_type_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- PAT-4: linked-account rules of the institution that holds the linked accounts.
CREATE TABLE linked_account_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  source_institution_id uuid REFERENCES institutions(id),
  source_user_group_code text,
  user_group_id uuid NOT NULL,
  expiry_mode text NOT NULL CHECK (expiry_mode IN ('fixed', 'relative', 'same_as_home')),
  expiry_fixed_date date,
  expiry_relative_days integer CHECK (expiry_relative_days > 0),
  purge_days_after_expiry integer NOT NULL DEFAULT 90 CHECK (purge_days_after_expiry >= 0),
  recalculate_on_refresh boolean NOT NULL DEFAULT true,
  is_default boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (institution_id, user_group_id) REFERENCES user_groups (institution_id, id),
  CHECK (expiry_mode <> 'fixed' OR expiry_fixed_date IS NOT NULL),
  CHECK (expiry_mode <> 'relative' OR expiry_relative_days IS NOT NULL),
  CHECK (NOT is_default OR (source_institution_id IS NULL AND source_user_group_code IS NULL)),
  CHECK (source_user_group_code IS NULL OR source_institution_id IS NOT NULL),
  CHECK (source_institution_id IS NULL OR source_institution_id <> institution_id)
);
CREATE UNIQUE INDEX linked_account_rules_one_default ON linked_account_rules (institution_id) WHERE is_default;
CREATE UNIQUE INDEX linked_account_rules_unique_source ON linked_account_rules (institution_id,
  source_institution_id, coalesce(source_user_group_code, '')) WHERE NOT is_default;

-- PAT-1 (the core; issue 3 completes the patron record). Needed now for patron sign-in.
CREATE TABLE patrons (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  primary_identifier text NOT NULL,
  first_name text NOT NULL DEFAULT '',
  last_name text NOT NULL,
  user_group_id uuid NOT NULL,
  email text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  expiry_date date,
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (institution_id, primary_identifier),
  UNIQUE (institution_id, id),
  FOREIGN KEY (institution_id, user_group_id) REFERENCES user_groups (institution_id, id)
);

-- Staff accounts. A username is unique across the whole installation so sign-in needs
-- no institution; the account's home institution is where it was created.
CREATE TABLE staff (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  institution_id uuid NOT NULL REFERENCES institutions(id),
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{2,64}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email text,
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Roles scoped to an institution (optionally a library or desk), or to a network for the
-- network administrator. Which privileges a role carries is one table in code
-- (src/server/auth/privileges.ts).
CREATE TABLE role_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('circulation_desk_manager', 'circulation_desk_operator',
    'circulation_desk_operator_limited', 'user_manager', 'user_administrator',
    'fulfillment_administrator', 'general_system_administrator', 'network_administrator')),
  institution_id uuid REFERENCES institutions(id),
  library_id uuid REFERENCES libraries(id),
  desk_id uuid REFERENCES circulation_desks(id),
  network_id uuid REFERENCES networks(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'network_administrator') = (network_id IS NOT NULL)),
  CHECK ((role = 'network_administrator') = (institution_id IS NULL)),
  CHECK (desk_id IS NULL OR library_id IS NOT NULL)
);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments (staff_id, role,
  coalesce(institution_id, '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce(network_id, '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce(library_id, '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce(desk_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- Sessions are rows (no state in the process). The cookie holds a random token; only its
-- SHA-256 is stored. csrf_token is the anti-forgery token for cookie-authenticated writes.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  staff_id uuid REFERENCES staff(id) ON DELETE CASCADE,
  patron_id uuid REFERENCES patrons(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  institution_id uuid REFERENCES institutions(id),
  desk_id uuid REFERENCES circulation_desks(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK ((staff_id IS NULL) <> (patron_id IS NULL))
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id uuid NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- NET-7: every configuration change, with who and when.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_staff_id uuid REFERENCES staff(id),
  institution_id uuid REFERENCES institutions(id),
  network_id uuid REFERENCES networks(id),
  action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  before jsonb,
  after jsonb,
  request_id text
);
CREATE INDEX audit_log_institution ON audit_log (institution_id, at DESC);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
