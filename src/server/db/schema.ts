import type { ColumnType, Generated } from 'kysely';

/** Timestamps come back as Date and accept Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A calendar day, 'YYYY-MM-DD'. */
type Day = string;
type Json = ColumnType<unknown, string | null, string | null>;
/** A jsonb array: read as parsed JSON, written as a JSON string. */
type JsonArray = ColumnType<unknown[], string | undefined, string>;

export type DiscoveryExposure = 'availability' | 'holdings' | 'request';
export type RegistrationMode = 'none' | 'manual' | 'auto';
export type PickupLocationPolicy = 'own_library' | 'any_library' | 'any_institution';
export type ExpiryMode = 'fixed' | 'relative' | 'same_as_home';

export interface NetworksTable {
  id: Generated<string>;
  code: string;
  name: string;
  created_at: Generated<Date>;
}

export interface InstitutionsTable {
  id: Generated<string>;
  code: string;
  name: string;
  time_zone: string;
  currency: string;
  address: string | null;
  email: string | null;
  cross_consortia_ids_enabled: Generated<boolean>;
  searchable_identifier_types: Generated<string[]>;
  discovery_exposure: Generated<DiscoveryExposure>;
  remote_registration_mode: Generated<RegistrationMode>;
  accepts_network_title_requests: Generated<boolean>;
  prefer_home_copy: Generated<boolean>;
  guest_user_group_id: string | null;
  /** CIRC-12: the letters' sender; null means library@<code>.example. */
  letters_from: Generated<string | null>;
  /** PAT-10: closed loans are anonymised after this many days (default 365). */
  anonymise_loans_after_days: Generated<number>;
  /** CIRC-10: courtesy notices go out this many days before the due date (default 3). */
  courtesy_notice_days: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface NetworkMembersTable {
  id: Generated<string>;
  network_id: string;
  institution_id: string;
  joined_at: Generated<Date>;
  left_at: NullableTimestamp;
}

export interface NetworkRelationsTable {
  network_id: string;
  owner_institution_id: string;
  other_institution_id: string;
  walk_in_loans: Generated<boolean>;
  pickup: Generated<boolean>;
  return_anywhere: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface LibrariesTable {
  id: Generated<string>;
  institution_id: string;
  code: string;
  name: string;
  time_zone: string | null;
  serves_other_institutions: Generated<boolean>;
  address: string | null;
  email: string | null;
  phone: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface LibraryOpeningHoursTable {
  library_id: string;
  weekday: number;
  opens: string;
  closes: string;
}

export interface LibraryClosedDaysTable {
  library_id: string;
  day: Day;
  reason: Generated<string>;
}

export interface CirculationDesksTable {
  id: Generated<string>;
  institution_id: string;
  library_id: string;
  code: string;
  name: string;
  created_at: Generated<Date>;
}

export interface LocationsTable {
  id: Generated<string>;
  institution_id: string;
  library_id: string;
  code: string;
  name: string;
  created_at: Generated<Date>;
}

export interface LibraryRelationsTable {
  institution_id: string;
  library_id: string;
  for_library_id: string;
  lends: Generated<boolean>;
  delivers: Generated<boolean>;
}

export interface TransitTimesTable {
  from_library_id: string;
  to_library_id: string;
  days: number;
}

export interface CodeTable {
  id: Generated<string>;
  institution_id: string;
  code: string;
  name: string;
}

export interface TermsOfUseTable {
  id: Generated<string>;
  institution_id: string;
  code: string;
  name: string;
  loanable: Generated<boolean>;
  loan_period_unit: Generated<'days' | 'hours'>;
  loan_period: number | null;
  fixed_due_date: Day | null;
  renewals_allowed: Generated<number>;
  renewal_period: number | null;
  overdue_fine_per_day_minor: Generated<number>;
  overdue_grace_days: Generated<number>;
  overdue_fine_max_minor: number | null;
  days_overdue_until_lost: number | null;
  lost_replacement_fee_minor: Generated<number>;
  lost_processing_fee_minor: Generated<number>;
  refund_replacement_fee_on_return: Generated<boolean>;
  refund_processing_fee_on_return: Generated<boolean>;
  hold_shelf_days: Generated<number>;
  requests_allowed: Generated<boolean>;
  pickup_location_policy: Generated<PickupLocationPolicy>;
  updated_at: Generated<Date>;
}

export interface TermsOfUseRulesTable {
  id: Generated<string>;
  institution_id: string;
  priority: Generated<number>;
  user_group_id: string | null;
  item_policy_id: string | null;
  material_type_id: string | null;
  location_id: string | null;
  terms_of_use_id: string;
  is_fallback: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface LoanLimitsTable {
  id: Generated<string>;
  institution_id: string;
  scope: Generated<'institution' | 'network'>;
  user_group_id: string | null;
  material_type_id: string | null;
  max_loans: number;
}

export interface LinkedAccountRulesTable {
  id: Generated<string>;
  institution_id: string;
  source_institution_id: string | null;
  source_user_group_code: string | null;
  user_group_id: string;
  expiry_mode: ExpiryMode;
  expiry_fixed_date: Day | null;
  expiry_relative_days: number | null;
  purge_days_after_expiry: Generated<number>;
  recalculate_on_refresh: Generated<boolean>;
  is_default: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface PatronsTable {
  id: Generated<string>;
  institution_id: string;
  primary_identifier: string;
  first_name: Generated<string>;
  middle_name: Generated<string>;
  last_name: string;
  preferred_name: string | null;
  emails: JsonArray;
  phones: JsonArray;
  addresses: JsonArray;
  general_note: Generated<string>;
  purge_date: Day | null;
  cross_consortia_id: string | null;
  search_text: Generated<string>;
  user_group_id: string;
  email: string | null;
  status: Generated<'active' | 'inactive'>;
  expiry_date: Day | null;
  password_hash: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StaffTable {
  id: Generated<string>;
  institution_id: string;
  username: string;
  name: string;
  email: string | null;
  password_hash: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RoleAssignmentsTable {
  id: Generated<string>;
  staff_id: string;
  role: string;
  institution_id: string | null;
  library_id: string | null;
  desk_id: string | null;
  network_id: string | null;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  token_hash: string;
  staff_id: string | null;
  patron_id: string | null;
  csrf_token: string;
  institution_id: string | null;
  desk_id: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  staff_id: string;
  name: string;
  token_hash: string;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_staff_id: string | null;
  institution_id: string | null;
  network_id: string | null;
  action: 'create' | 'update' | 'delete';
  entity_type: string;
  entity_id: string;
  before: Json;
  after: Json;
  request_id: string | null;
}

export interface PatronIdentifiersTable {
  institution_id: string;
  patron_id: string;
  id_type: string;
  value: string;
}

export interface PatronBlocksTable {
  id: Generated<string>;
  institution_id: string;
  patron_id: string;
  block_type: string;
  reason: Generated<string>;
  network_block: Generated<boolean>;
  expires_at: NullableTimestamp;
  created_by: string | null;
  created_at: Generated<Date>;
  removed_by: string | null;
  removed_at: NullableTimestamp;
}

export interface BibRecordsTable {
  id: Generated<string>;
  institution_id: string;
  source_id: string | null;
  work_key: string;
  title: string;
  subtitle: Generated<string>;
  author: Generated<string>;
  publisher: Generated<string>;
  publication_year: number | null;
  edition: Generated<string>;
  language: string | null;
  format: Generated<string>;
  isbns: Generated<string[]>;
  issns: Generated<string[]>;
  oclc_numbers: Generated<string[]>;
  subjects: Generated<string[]>;
  marc: Json;
  content_hash: string | null;
  /** Written with `searchDocumentSql()` (catalogue/search-document.ts); never read as a value. */
  search_document: ColumnType<string | null, string | undefined, string>;
  withdrawn_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface HoldingsTable {
  id: Generated<string>;
  institution_id: string;
  bib_id: string;
  library_id: string;
  location_id: string;
  call_number: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type ProcessType =
  | 'loan'
  | 'requested'
  | 'transit'
  | 'hold_shelf'
  | 'missing'
  | 'lost'
  | 'claimed_returned'
  | 'technical';

export interface ItemsTable {
  id: Generated<string>;
  institution_id: string;
  holding_id: string;
  bib_id: string;
  barcode: string;
  material_type_id: string;
  item_policy_id: string;
  enumeration: Generated<string>;
  chronology: Generated<string>;
  description: Generated<string>;
  in_place: Generated<boolean>;
  process_type: ProcessType | null;
  withdrawn_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ImportRunsTable {
  id: Generated<string>;
  institution_id: string;
  file_name: string;
  started_at: Generated<Date>;
  finished_at: NullableTimestamp;
  records_read: Generated<number>;
  records_created: Generated<number>;
  records_updated: Generated<number>;
  records_unchanged: Generated<number>;
  records_rejected: Generated<number>;
  problems: JsonArray;
}

export type LoanStatus = 'active' | 'returned' | 'lost' | 'claimed_returned';

export interface LoansTable {
  id: Generated<string>;
  institution_id: string;
  item_id: string;
  patron_id: string;
  terms_of_use_id: string;
  desk_id: string;
  desk_institution_id: string;
  desk_library_id: string;
  loaned_by: string | null;
  loaned_at: Timestamp;
  due_at: Timestamp;
  renewals_used: Generated<number>;
  status: Generated<LoanStatus>;
  returned_at: NullableTimestamp;
  return_desk_id: string | null;
  return_institution_id: string | null;
  returned_by: string | null;
  anonymised_at: NullableTimestamp;
  /** CIRC-11: when the patron claimed to have returned it (accrual stops). */
  claimed_returned_at: NullableTimestamp;
}

export type FeeType =
  | 'overdue_fine'
  | 'lost_item_replacement'
  | 'lost_item_processing'
  | 'renewal_fee'
  | 'credit'
  | 'other';

export interface FeesTable {
  id: Generated<string>;
  institution_id: string;
  patron_id: string;
  loan_id: string | null;
  item_id: string | null;
  fee_type: FeeType;
  status: Generated<'active' | 'closed'>;
  currency: string;
  original_minor: number;
  balance_minor: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ItemHistoryTable {
  id: Generated<number>;
  institution_id: string;
  item_id: string;
  at: Generated<Date>;
  event: string;
  acting_institution_id: string | null;
  library_id: string | null;
  desk_id: string | null;
  operator_staff_id: string | null;
  patron_id: string | null;
  loan_id: string | null;
  details: ColumnType<unknown, string | undefined, string>;
}

export type LetterType =
  | 'loan_receipt'
  | 'return_receipt'
  | 'hold_available'
  | 'hold_shelf_reminder'
  | 'hold_expired'
  | 'courtesy'
  | 'overdue'
  | 'lost'
  | 'request_cancelled'
  | 'request_unfillable';

export interface LettersTable {
  id: Generated<string>;
  institution_id: string;
  patron_id: string;
  letter_type: LetterType;
  to_address: string | null;
  subject: string;
  body: string;
  message_id: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Generated<Date>;
  delivered_at: NullableTimestamp;
  /** CIRC-12: the sender chosen when the letter was written. */
  from_address: string | null;
  /** INV-7: when delivery is tried next (exponential backoff after failures). */
  next_attempt_at: Generated<Date>;
}

/** CIRC-11 / INV-5: a payment, waiver or refund of a fee, with who and when. */
export interface FeeTransactionsTable {
  id: Generated<string>;
  institution_id: string;
  fee_id: string;
  kind: 'payment' | 'waive' | 'refund';
  amount_minor: number;
  reason: string | null;
  method: string | null;
  staff_id: string | null;
  at: Timestamp;
}

/** CIRC-12: an institution's template of a letter type ({{placeholders}}). */
/** Migration 0011: one row, bumped with every change to a desk's setting (decision 74). */
export interface ConfigurationVersionTable {
  only_row: Generated<boolean>;
  version: Generated<number>;
}

export interface LetterTemplatesTable {
  institution_id: string;
  letter_type: LetterType;
  subject: string;
  body: string;
  updated_at: Generated<Date>;
}

export type RequestStatus =
  | 'not_started'
  | 'in_process'
  | 'in_transit'
  | 'on_hold_shelf'
  | 'completed'
  | 'cancelled'
  | 'expired';

/** CIRC-7: a request, owned by the institution whose inventory it asks for (INV-6). */
export interface RequestsTable {
  id: Generated<string>;
  institution_id: string;
  patron_id: string;
  bib_id: string;
  work_key: string;
  volume: Generated<string>;
  item_id: string | null;
  request_type: 'hold' | 'page';
  level: 'title' | 'item';
  pickup_institution_id: string;
  pickup_library_id: string;
  status: Generated<RequestStatus>;
  queue_position: number | null;
  placed_at: Timestamp;
  placed_by: string | null;
  hold_shelf_expires_at: NullableTimestamp;
  shelf_cleared_at: NullableTimestamp;
  /** CIRC-7 / CIRC-10: a waiting request expires after this day (owner's time zone); null: never. */
  not_needed_after: Generated<Day | null>;
  completed_loan_id: string | null;
  cancel_reason: string | null;
  closed_at: NullableTimestamp;
  updated_at: Timestamp;
}

export type TransitReason = 'request' | 'return_to_owner' | 'home_library';

/** CIRC-9: a transit of an item, owned by the item's owner (INV-6). */
export interface TransitsTable {
  id: Generated<string>;
  institution_id: string;
  item_id: string;
  from_library_id: string;
  to_library_id: string;
  reason: TransitReason;
  request_id: string | null;
  status: Generated<'open' | 'received' | 'cancelled'>;
  sent_at: Timestamp;
  expected_arrival_at: Timestamp;
  received_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  sent_desk_id: string | null;
  received_desk_id: string | null;
  sent_by: string | null;
  received_by: string | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

/** CIRC-10: a background job, claimed with FOR UPDATE SKIP LOCKED (src/server/jobs). */
export interface JobsTable {
  id: Generated<string>;
  kind: string;
  run_at: Generated<Date>;
  /** The UTC day a daily job was scheduled for; null for a one-off job. */
  scheduled_day: Day | null;
  status: Generated<JobStatus>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_by: string | null;
  locked_until: NullableTimestamp;
  last_error: string | null;
  payload: ColumnType<unknown, string | undefined, string>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface Database {
  networks: NetworksTable;
  institutions: InstitutionsTable;
  network_members: NetworkMembersTable;
  network_relations: NetworkRelationsTable;
  libraries: LibrariesTable;
  library_opening_hours: LibraryOpeningHoursTable;
  library_closed_days: LibraryClosedDaysTable;
  circulation_desks: CirculationDesksTable;
  locations: LocationsTable;
  library_relations: LibraryRelationsTable;
  transit_times: TransitTimesTable;
  user_groups: CodeTable;
  item_policies: CodeTable;
  material_types: CodeTable;
  terms_of_use: TermsOfUseTable;
  terms_of_use_rules: TermsOfUseRulesTable;
  loan_limits: LoanLimitsTable;
  linked_account_rules: LinkedAccountRulesTable;
  patrons: PatronsTable;
  staff: StaffTable;
  role_assignments: RoleAssignmentsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  patron_identifiers: PatronIdentifiersTable;
  patron_blocks: PatronBlocksTable;
  bib_records: BibRecordsTable;
  holdings: HoldingsTable;
  items: ItemsTable;
  import_runs: ImportRunsTable;
  loans: LoansTable;
  fees: FeesTable;
  item_history: ItemHistoryTable;
  letters: LettersTable;
  fee_transactions: FeeTransactionsTable;
  letter_templates: LetterTemplatesTable;
  configuration_version: ConfigurationVersionTable;
  requests: RequestsTable;
  transits: TransitsTable;
  jobs: JobsTable;
}
