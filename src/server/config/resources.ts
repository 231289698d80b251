import { z } from 'zod';
import type { Privilege } from '../auth/privileges.ts';
import type { Database } from '../db/schema.ts';
import {
  codeSchema,
  currencySchema,
  daySchema,
  type FieldProblem,
  minorUnitsSchema,
  nameSchema,
  timeZoneSchema,
} from '../shared/validation.ts';

/**
 * The institution-owned configuration records that share one shape: a uuid id, the owning
 * institution, and fields validated by a zod schema. Each is served under
 * `/api/institutions/:institutionId/<path>` with list, read, create, update and delete,
 * validated, authorized and audited in one place (config/commands.ts).
 */
export interface ConfigResource {
  path: string;
  table: keyof Database;
  entityType: string;
  title: string;
  privilege: Privilege;
  /** Fields accepted on create; update takes any subset of them except `immutable`. */
  fields: Record<string, z.ZodType>;
  required: readonly string[];
  immutable?: readonly string[];
  /** Cross-field rules checked on the record as it will be stored (create and update alike). */
  check?: (record: Record<string, unknown>) => FieldProblem[];
  /** Refuse a delete (e.g. the required fallback rule). */
  refuseDelete?: (record: Record<string, unknown>) => string | null;
  orderBy: string;
  /** Lists carry the library's name too (desks and locations belong to a library). */
  withLibraryName?: boolean;
}

const optionalText = z.string().trim().max(500).nullable();
const optionalEmail = z.email('is not an email address').nullable();
const optionalId = z.uuid('is not a valid id').nullable();

export const libraries: ConfigResource = {
  path: 'libraries',
  table: 'libraries',
  entityType: 'library',
  title: 'Library',
  privilege: 'config.institution.manage',
  fields: {
    code: codeSchema,
    name: nameSchema,
    timeZone: timeZoneSchema.nullable().describe("NULL: the institution's time zone (NET-6)"),
    servesOtherInstitutions: z
      .boolean()
      .describe('NET-3: only such libraries are pickup or return points for other members'),
    address: optionalText,
    email: optionalEmail,
    phone: z.string().trim().max(50).nullable(),
  },
  required: ['code', 'name'],
  orderBy: 'name',
};

export const desks: ConfigResource = {
  path: 'desks',
  table: 'circulation_desks',
  entityType: 'circulation_desk',
  title: 'Circulation desk',
  privilege: 'config.institution.manage',
  fields: { libraryId: z.uuid('is not a valid id'), code: codeSchema, name: nameSchema },
  required: ['libraryId', 'code', 'name'],
  immutable: ['libraryId'],
  orderBy: 'name',
  withLibraryName: true,
};

export const locations: ConfigResource = {
  path: 'locations',
  table: 'locations',
  entityType: 'location',
  title: 'Location',
  privilege: 'config.institution.manage',
  fields: { libraryId: z.uuid('is not a valid id'), code: codeSchema, name: nameSchema },
  required: ['libraryId', 'code', 'name'],
  immutable: ['libraryId'],
  orderBy: 'name',
  withLibraryName: true,
};

const codeAndName = { code: codeSchema, name: nameSchema };

export const userGroups: ConfigResource = {
  path: 'user-groups',
  table: 'user_groups',
  entityType: 'user_group',
  title: 'User group',
  privilege: 'config.fulfillment.manage',
  fields: codeAndName,
  required: ['code', 'name'],
  orderBy: 'name',
};

export const itemPolicies: ConfigResource = {
  path: 'item-policies',
  table: 'item_policies',
  entityType: 'item_policy',
  title: 'Item policy',
  privilege: 'config.fulfillment.manage',
  fields: codeAndName,
  required: ['code', 'name'],
  orderBy: 'name',
};

export const materialTypes: ConfigResource = {
  path: 'material-types',
  table: 'material_types',
  entityType: 'material_type',
  title: 'Material type',
  privilege: 'config.fulfillment.manage',
  fields: codeAndName,
  required: ['code', 'name'],
  orderBy: 'name',
};

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);

/** CIRC-2: what a terms-of-use record decides. */
export const termsOfUse: ConfigResource = {
  path: 'terms-of-use',
  table: 'terms_of_use',
  entityType: 'terms_of_use',
  title: 'Terms of use',
  privilege: 'config.fulfillment.manage',
  fields: {
    code: codeSchema,
    name: nameSchema,
    loanable: z.boolean(),
    loanPeriodUnit: z.enum(['days', 'hours']),
    loanPeriod: positiveInt.max(3650).nullable(),
    fixedDueDate: daySchema.nullable(),
    renewalsAllowed: nonNegativeInt.max(100),
    renewalPeriod: positiveInt.max(3650).nullable(),
    overdueFinePerDayMinor: minorUnitsSchema,
    overdueGraceDays: nonNegativeInt.max(365),
    overdueFineMaxMinor: minorUnitsSchema.nullable(),
    daysOverdueUntilLost: positiveInt.max(3650).nullable(),
    lostReplacementFeeMinor: minorUnitsSchema,
    lostProcessingFeeMinor: minorUnitsSchema,
    refundReplacementFeeOnReturn: z.boolean(),
    refundProcessingFeeOnReturn: z.boolean(),
    holdShelfDays: positiveInt.max(365),
    requestsAllowed: z.boolean(),
    pickupLocationPolicy: z.enum(['own_library', 'any_library', 'any_institution']),
  },
  required: ['code', 'name'],
  check: (r) => {
    const problems: FieldProblem[] = [];
    if (r.loanable !== false && r.loanPeriod == null && r.fixedDueDate == null) {
      problems.push({
        field: 'loanPeriod',
        message: 'a loanable record needs a loan period or a fixed due date',
      });
    }
    if (Number(r.renewalsAllowed ?? 0) > 0 && r.renewalPeriod == null && r.fixedDueDate == null) {
      problems.push({
        field: 'renewalPeriod',
        message: 'renewals need a renewal period or a fixed due date',
      });
    }
    return problems;
  },
  orderBy: 'name',
};

/** CIRC-2: rules picking terms of use; null criteria match anything; one fallback rule. */
export const termsOfUseRules: ConfigResource = {
  path: 'terms-of-use-rules',
  table: 'terms_of_use_rules',
  entityType: 'terms_of_use_rule',
  title: 'Terms-of-use rule',
  privilege: 'config.fulfillment.manage',
  fields: {
    priority: z.number().int().min(0).max(100000).describe('Lower numbers are tried first'),
    userGroupId: optionalId,
    itemPolicyId: optionalId,
    materialTypeId: optionalId,
    locationId: optionalId,
    termsOfUseId: z.uuid('is not a valid id'),
    isFallback: z.boolean().describe('The rule used when no other matches; exactly one, with no criteria'),
  },
  required: ['termsOfUseId'],
  immutable: ['isFallback'],
  check: (r) =>
    r.isFallback && (r.userGroupId || r.itemPolicyId || r.materialTypeId || r.locationId)
      ? [{ field: 'isFallback', message: 'the fallback rule matches everything: leave its criteria empty' }]
      : [],
  refuseDelete: (r) =>
    r.isFallback ? 'The fallback rule is required; point it at other terms of use instead.' : null,
  orderBy: 'priority',
};

/** CIRC-2 loan limits at the institution, or a patron's loans across the network. */
export const loanLimits: ConfigResource = {
  path: 'loan-limits',
  table: 'loan_limits',
  entityType: 'loan_limit',
  title: 'Loan limit',
  privilege: 'config.fulfillment.manage',
  fields: {
    scope: z.enum(['institution', 'network']),
    userGroupId: optionalId,
    materialTypeId: optionalId,
    maxLoans: z.number().int().min(0).max(100000),
  },
  required: ['maxLoans'],
  check: (r) =>
    r.scope === 'network' && r.materialTypeId
      ? [
          {
            field: 'materialTypeId',
            message: 'a network-wide limit counts all loans: leave the material type empty',
          },
        ]
      : [],
  orderBy: 'max_loans',
};

/** PAT-4: how linked accounts of other members' patrons are set up here. */
export const linkedAccountRules: ConfigResource = {
  path: 'linked-account-rules',
  table: 'linked_account_rules',
  entityType: 'linked_account_rule',
  title: 'Linked-account rule',
  privilege: 'config.fulfillment.manage',
  fields: {
    sourceInstitutionId: optionalId,
    sourceUserGroupCode: codeSchema.nullable(),
    userGroupId: z.uuid('is not a valid id'),
    expiryMode: z.enum(['fixed', 'relative', 'same_as_home']),
    expiryFixedDate: daySchema.nullable(),
    expiryRelativeDays: positiveInt.max(36500).nullable(),
    purgeDaysAfterExpiry: nonNegativeInt.max(36500),
    recalculateOnRefresh: z.boolean(),
    isDefault: z.boolean(),
  },
  required: ['userGroupId', 'expiryMode'],
  immutable: ['isDefault'],
  check: (r) => {
    const problems: FieldProblem[] = [];
    if (r.expiryMode === 'fixed' && !r.expiryFixedDate)
      problems.push({ field: 'expiryFixedDate', message: 'is required when expiryMode is fixed' });
    if (r.expiryMode === 'relative' && !r.expiryRelativeDays)
      problems.push({ field: 'expiryRelativeDays', message: 'is required when expiryMode is relative' });
    if (r.isDefault && (r.sourceInstitutionId || r.sourceUserGroupCode))
      problems.push({ field: 'isDefault', message: 'the default rule names no source' });
    if (!r.isDefault && !r.sourceInstitutionId)
      problems.push({ field: 'sourceInstitutionId', message: 'is required unless this is the default rule' });
    if (r.sourceInstitutionId && r.sourceInstitutionId === r.institutionId)
      problems.push({ field: 'sourceInstitutionId', message: 'must be another institution' });
    return problems;
  },
  refuseDelete: (r) => (r.isDefault ? 'The default linked-account rule is required (PAT-4).' : null),
  orderBy: 'is_default',
};

export const CONFIG_RESOURCES: readonly ConfigResource[] = [
  libraries,
  desks,
  locations,
  userGroups,
  itemPolicies,
  materialTypes,
  termsOfUse,
  termsOfUseRules,
  loanLimits,
  linkedAccountRules,
];

/** The institution record's own editable fields (NET-1) and its network settings (NET-4, NET-5). */
export const institutionFields = {
  name: nameSchema,
  timeZone: timeZoneSchema,
  currency: currencySchema,
  address: optionalText,
  email: optionalEmail,
};

export const networkSettingsFields = {
  crossConsortiaIdsEnabled: z.boolean(),
  searchableIdentifierTypes: z
    .array(codeSchema)
    .max(50)
    .describe('Empty: every identifier type is searchable (NET-4)'),
  discoveryExposure: z.enum(['availability', 'holdings', 'request']),
  remoteRegistrationMode: z.enum(['none', 'manual', 'auto']),
  acceptsNetworkTitleRequests: z.boolean(),
  preferHomeCopy: z.boolean(),
  guestUserGroupId: optionalId,
};
