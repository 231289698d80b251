/**
 * What the configuration screens know about each resource's fields: a label in words, the kind
 * of input, and whether it may be empty. Written from the zod schemas in
 * src/server/config/resources.ts (the server validates again and names every bad field).
 */
import type { ConfigRecord, ResourcePath } from '../../api/configuration.ts';

export interface EnumOption {
  value: string;
  label: string;
}

export type FieldKind =
  | { kind: 'text' }
  | { kind: 'email' }
  | { kind: 'number' }
  /** Minor units (cents) in the institution's currency, typed as an amount (CIRC-11). */
  | { kind: 'money' }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: EnumOption[] }
  /** The id of a record of another resource ('institutions': the network's members). */
  | { kind: 'reference'; resource: ResourcePath | 'institutions'; anyLabel?: string }
  | { kind: 'time' }
  | { kind: 'date' }
  /** A list of codes, typed comma-separated. */
  | { kind: 'list' };

export type FieldSpec = FieldKind & {
  name: string;
  label: string;
  description?: string;
  /** Must be given on create (the schema's `required`). */
  required?: boolean;
  /** May be stored empty (the schema's `.nullable()`): an empty input sends null. */
  nullable?: boolean;
  /** Fixed at creation: shown but not editable afterwards. */
  immutable?: boolean;
  /** Shown in the table (otherwise only in the form). */
  inTable?: boolean;
  /** Not in the form (set by the system, e.g. the fallback flag). */
  readOnly?: boolean;
};

export interface ResourceSpec {
  path: ResourcePath;
  /** Singular, lower case inside sentences: "terms of use", "user group". */
  noun: string;
  /** The screen heading. */
  heading: string;
  intro: string;
  privilege: 'config.institution.manage' | 'config.fulfillment.manage';
  fields: FieldSpec[];
  /** How staff name one record in buttons and messages. */
  label?: (record: ConfigRecord) => string;
}

const code = (inTable = true): FieldSpec => ({
  name: 'code',
  label: 'Code',
  kind: 'text',
  required: true,
  inTable,
  description: '1 to 32 letters, digits, "-" or "_"',
});
const name: FieldSpec = { name: 'name', label: 'Name', kind: 'text', required: true, inTable: true };

export const PICKUP_POLICIES: EnumOption[] = [
  { value: 'own_library', label: 'The lending library only' },
  { value: 'any_library', label: 'Any library of this institution' },
  { value: 'any_institution', label: 'Any library in the network' },
];

export const PERIOD_UNITS: EnumOption[] = [
  { value: 'days', label: 'Days' },
  { value: 'hours', label: 'Hours' },
];

export const LIBRARIES: ResourceSpec = {
  path: 'libraries',
  noun: 'library',
  heading: 'Libraries',
  intro: 'The libraries of this institution, their time zone and whether they serve other members.',
  privilege: 'config.institution.manage',
  fields: [
    code(),
    name,
    {
      name: 'timeZone',
      label: 'Time zone',
      kind: 'text',
      nullable: true,
      inTable: true,
      description: "An IANA time zone such as America/Toronto; empty: the institution's time zone",
    },
    {
      name: 'servesOtherInstitutions',
      label: 'Serves other institutions (pickup and return point for other members)',
      kind: 'boolean',
      inTable: true,
    },
    { name: 'address', label: 'Address', kind: 'text', nullable: true },
    { name: 'email', label: 'Email', kind: 'email', nullable: true },
    { name: 'phone', label: 'Phone', kind: 'text', nullable: true },
  ],
};

const libraryRef: FieldSpec = {
  name: 'libraryId',
  label: 'Library',
  kind: 'reference',
  resource: 'libraries',
  required: true,
  immutable: true,
  inTable: true,
};

export const DESKS: ResourceSpec = {
  path: 'desks',
  noun: 'circulation desk',
  heading: 'Circulation desks',
  intro: 'The desks staff choose when they start work; each belongs to one library.',
  privilege: 'config.institution.manage',
  fields: [libraryRef, code(), name],
};

export const LOCATIONS: ResourceSpec = {
  path: 'locations',
  noun: 'location',
  heading: 'Shelving locations',
  intro: 'Where items are shelved in each library.',
  privilege: 'config.institution.manage',
  fields: [libraryRef, code(), name],
};

export const USER_GROUPS: ResourceSpec = {
  path: 'user-groups',
  noun: 'user group',
  heading: 'User groups',
  intro: 'Groups of patrons; loan rules and limits are set per group.',
  privilege: 'config.fulfillment.manage',
  fields: [code(), name],
};

export const ITEM_POLICIES: ResourceSpec = {
  path: 'item-policies',
  noun: 'item policy',
  heading: 'Item policies',
  intro: 'How an item may circulate (regular, short loan, reference); loan rules are set per policy.',
  privilege: 'config.fulfillment.manage',
  fields: [code(), name],
};

export const MATERIAL_TYPES: ResourceSpec = {
  path: 'material-types',
  noun: 'material type',
  heading: 'Material types',
  intro: 'What an item is (book, DVD...); loan rules and limits may depend on it.',
  privilege: 'config.fulfillment.manage',
  fields: [code(), name],
};

export const TERMS_OF_USE: ResourceSpec = {
  path: 'terms-of-use',
  noun: 'terms of use',
  heading: 'Terms of use',
  intro: 'What a loan allows: its period, renewals, fines and fees, requests and the hold shelf (CIRC-2).',
  privilege: 'config.fulfillment.manage',
  fields: [
    code(),
    name,
    { name: 'loanable', label: 'Can be lent', kind: 'boolean', inTable: true },
    { name: 'loanPeriod', label: 'Loan period', kind: 'number', nullable: true, inTable: true },
    { name: 'loanPeriodUnit', label: 'Loan period unit', kind: 'enum', options: PERIOD_UNITS },
    {
      name: 'fixedDueDate',
      label: 'Fixed due date',
      kind: 'date',
      nullable: true,
      description: 'Loans are due on this day at the latest (e.g. the end of term)',
    },
    { name: 'renewalsAllowed', label: 'Renewals allowed', kind: 'number', inTable: true },
    {
      name: 'renewalPeriod',
      label: 'Renewal period',
      kind: 'number',
      nullable: true,
      description: 'In the loan period unit',
    },
    { name: 'overdueFinePerDayMinor', label: 'Overdue fine per day', kind: 'money', inTable: true },
    { name: 'overdueGraceDays', label: 'Grace days before fines', kind: 'number' },
    { name: 'overdueFineMaxMinor', label: 'Maximum overdue fine', kind: 'money', nullable: true },
    {
      name: 'daysOverdueUntilLost',
      label: 'Days overdue until the item counts as lost',
      kind: 'number',
      nullable: true,
    },
    { name: 'lostReplacementFeeMinor', label: 'Replacement fee for a lost item', kind: 'money' },
    { name: 'lostProcessingFeeMinor', label: 'Processing fee for a lost item', kind: 'money' },
    {
      name: 'refundReplacementFeeOnReturn',
      label: 'Refund the replacement fee when a lost item comes back',
      kind: 'boolean',
    },
    {
      name: 'refundProcessingFeeOnReturn',
      label: 'Refund the processing fee when a lost item comes back',
      kind: 'boolean',
    },
    { name: 'holdShelfDays', label: 'Days on the hold shelf', kind: 'number' },
    { name: 'requestsAllowed', label: 'Requests allowed', kind: 'boolean' },
    { name: 'pickupLocationPolicy', label: 'Pickup location', kind: 'enum', options: PICKUP_POLICIES },
  ],
};

export const TERMS_OF_USE_RULES: ResourceSpec = {
  path: 'terms-of-use-rules',
  noun: 'loan rule',
  heading: 'Loan rules',
  intro:
    'Which terms of use a loan gets. Rules are tried from the lowest priority number up; an empty criterion matches anything.',
  privilege: 'config.fulfillment.manage',
  label: (r) => (r.isFallback ? 'the fallback rule' : `the rule with priority ${String(r.priority)}`),
  fields: [
    {
      name: 'priority',
      label: 'Priority',
      kind: 'number',
      inTable: true,
      description: 'Lower numbers are tried first',
    },
    {
      name: 'userGroupId',
      label: 'User group',
      kind: 'reference',
      resource: 'user-groups',
      anyLabel: 'Any user group',
      nullable: true,
      inTable: true,
    },
    {
      name: 'itemPolicyId',
      label: 'Item policy',
      kind: 'reference',
      resource: 'item-policies',
      anyLabel: 'Any item policy',
      nullable: true,
      inTable: true,
    },
    {
      name: 'materialTypeId',
      label: 'Material type',
      kind: 'reference',
      resource: 'material-types',
      anyLabel: 'Any material type',
      nullable: true,
      inTable: true,
    },
    {
      name: 'locationId',
      label: 'Location',
      kind: 'reference',
      resource: 'locations',
      anyLabel: 'Any location',
      nullable: true,
      inTable: true,
    },
    {
      name: 'termsOfUseId',
      label: 'Terms of use',
      kind: 'reference',
      resource: 'terms-of-use',
      required: true,
      inTable: true,
    },
    { name: 'isFallback', label: 'Fallback rule', kind: 'boolean', readOnly: true, inTable: true },
  ],
};

export const LOAN_LIMITS: ResourceSpec = {
  path: 'loan-limits',
  noun: 'loan limit',
  heading: 'Loan limits',
  intro: 'How many loans a patron may have at once, here or across the whole network (CIRC-2).',
  privilege: 'config.fulfillment.manage',
  label: (r) => `the limit of ${String(r.maxLoans)} loans`,
  fields: [
    {
      name: 'scope',
      label: 'Counts loans',
      kind: 'enum',
      options: [
        { value: 'institution', label: 'At this institution' },
        { value: 'network', label: 'Across the network' },
      ],
      inTable: true,
    },
    {
      name: 'userGroupId',
      label: 'User group',
      kind: 'reference',
      resource: 'user-groups',
      anyLabel: 'Any user group',
      nullable: true,
      inTable: true,
    },
    {
      name: 'materialTypeId',
      label: 'Material type',
      kind: 'reference',
      resource: 'material-types',
      anyLabel: 'Any material type',
      nullable: true,
      inTable: true,
    },
    { name: 'maxLoans', label: 'Maximum loans', kind: 'number', required: true, inTable: true },
  ],
};

export const LINKED_ACCOUNT_RULES: ResourceSpec = {
  path: 'linked-account-rules',
  noun: 'linked-account rule',
  heading: 'Linked-account rules',
  intro: "How accounts of other members' patrons are set up here when they borrow (PAT-4).",
  privilege: 'config.fulfillment.manage',
  label: (r) =>
    r.isDefault ? 'the default rule' : `the rule for ${String(r.sourceUserGroupCode ?? 'a member')}`,
  fields: [
    {
      name: 'sourceInstitutionId',
      label: 'Patrons of',
      kind: 'reference',
      resource: 'institutions',
      anyLabel: 'Any member (the default rule)',
      nullable: true,
      inTable: true,
    },
    {
      name: 'sourceUserGroupCode',
      label: 'Their user group code',
      kind: 'text',
      nullable: true,
      inTable: true,
      description: "Empty: any of the member's user groups",
    },
    {
      name: 'userGroupId',
      label: 'User group here',
      kind: 'reference',
      resource: 'user-groups',
      required: true,
      inTable: true,
    },
    {
      name: 'expiryMode',
      label: 'Account expiry',
      kind: 'enum',
      required: true,
      inTable: true,
      options: [
        { value: 'fixed', label: 'On a fixed date' },
        { value: 'relative', label: 'Some days after it is set up' },
        { value: 'same_as_home', label: 'Same as at the home institution' },
      ],
    },
    { name: 'expiryFixedDate', label: 'Expiry date', kind: 'date', nullable: true },
    { name: 'expiryRelativeDays', label: 'Days until expiry', kind: 'number', nullable: true },
    { name: 'purgeDaysAfterExpiry', label: 'Days after expiry until purged', kind: 'number' },
    {
      name: 'recalculateOnRefresh',
      label: 'Recalculate the expiry when the account is refreshed',
      kind: 'boolean',
    },
    { name: 'isDefault', label: 'Default rule', kind: 'boolean', readOnly: true, inTable: true },
  ],
};

/** The resources with a generic screen at /staff/configuration/<path>. */
export const GENERIC_RESOURCES: ResourceSpec[] = [
  LIBRARIES,
  DESKS,
  LOCATIONS,
  USER_GROUPS,
  ITEM_POLICIES,
  MATERIAL_TYPES,
  TERMS_OF_USE,
  TERMS_OF_USE_RULES,
  LOAN_LIMITS,
  LINKED_ACCOUNT_RULES,
];

/** The institution record (NET-1) and its network settings (NET-4, NET-5). */
export const INSTITUTION_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  {
    name: 'timeZone',
    label: 'Time zone',
    kind: 'text',
    required: true,
    description: 'An IANA time zone such as America/Toronto',
  },
  { name: 'currency', label: 'Currency', kind: 'text', required: true, description: 'ISO 4217, e.g. CAD' },
  { name: 'address', label: 'Address', kind: 'text', nullable: true },
  { name: 'email', label: 'Email', kind: 'email', nullable: true },
  {
    name: 'crossConsortiaIdsEnabled',
    label: 'Patrons carry a cross-consortia id (NET-4)',
    kind: 'boolean',
  },
  {
    name: 'searchableIdentifierTypes',
    label: 'Identifier types other members may search',
    kind: 'list',
    description: 'Comma-separated codes, e.g. BARCODE, UNIVERSITY_ID; empty: every type',
  },
  {
    name: 'discoveryExposure',
    label: 'What discovery shows of our holdings (NET-5)',
    kind: 'enum',
    options: [
      { value: 'availability', label: 'Availability only' },
      { value: 'holdings', label: 'Holdings' },
      { value: 'request', label: 'Holdings, and patrons may request' },
    ],
  },
  {
    name: 'remoteRegistrationMode',
    label: 'Registration of patrons from other members',
    kind: 'enum',
    options: [
      { value: 'none', label: 'Not allowed' },
      { value: 'manual', label: 'By staff' },
      { value: 'auto', label: 'Automatic' },
    ],
  },
  {
    name: 'acceptsNetworkTitleRequests',
    label: 'Accepts title requests from the network',
    kind: 'boolean',
  },
  { name: 'preferHomeCopy', label: "Prefer the patron's home copy for requests", kind: 'boolean' },
  {
    name: 'guestUserGroupId',
    label: 'User group of anonymous discovery visitors',
    kind: 'reference',
    resource: 'user-groups',
    anyLabel: 'None',
    nullable: true,
  },
];

export function recordLabel(spec: ResourceSpec, record: ConfigRecord): string {
  if (spec.label) return spec.label(record);
  const n = record.name ?? record.code;
  return typeof n === 'string' ? n : spec.noun;
}
