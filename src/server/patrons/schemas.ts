import { z } from 'zod';
import { daySchema, idParam, nameSchema } from '../shared/validation.ts';

/**
 * PAT-1: the patron record as the API takes and shows it. The same input schema validates the
 * rows of a CSV batch load (load-csv.ts), so a row is refused for exactly the reasons a request is.
 */

export const EMAIL_TYPES = ['personal', 'work', 'school', 'other'] as const;
export const PHONE_TYPES = ['mobile', 'home', 'work', 'other'] as const;
export const ADDRESS_TYPES = ['home', 'work', 'school', 'other'] as const;
export const PATRON_STATUSES = ['active', 'inactive'] as const;

/** Identifier types are codes such as BARCODE or UNIVERSITY_ID (the database checks the same pattern). */
export const identifierTypeSchema = z
  .string()
  .regex(/^[A-Z0-9_]{1,32}$/, 'use 1 to 32 capital letters, digits or "_", such as BARCODE');
export const identifierValueSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'cannot contain control characters');
/** The discovery password (PAT-1 discovery login); stored only as an argon2id hash. */
export const patronPasswordSchema = z.string().min(10, 'use at least 10 characters').max(200);
const optionalText = (max: number) => z.string().trim().max(max);

export const identifierSchema = z.strictObject({ type: identifierTypeSchema, value: identifierValueSchema });

const atMostOnePreferred = (entries: { preferred?: boolean }[]) =>
  entries.filter((e) => e.preferred === true).length <= 1;
const ONE_PREFERRED = 'only one entry can be preferred';

const emailSchema = z.strictObject({
  address: z.email('is not an email address').max(254),
  type: z.enum(EMAIL_TYPES),
  preferred: z.boolean().optional(),
});
const phoneSchema = z.strictObject({
  number: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{3,40}$/, 'use digits, spaces and ( ) . / - with an optional leading +'),
  type: z.enum(PHONE_TYPES),
  preferred: z.boolean().optional(),
});
const addressSchema = z.strictObject({
  lines: z.array(z.string().trim().min(1, 'is required').max(200)).min(1, 'give at least one line').max(4),
  city: optionalText(100).optional(),
  region: optionalText(100).optional(),
  postalCode: optionalText(20).optional(),
  country: optionalText(100).optional(),
  type: z.enum(ADDRESS_TYPES),
  preferred: z.boolean().optional(),
});

const identifiersSchema = z
  .array(identifierSchema)
  .max(20)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((identifier, index) => {
      const key = `${identifier.type}\u0000${identifier.value}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index, 'value'], message: 'is given twice' });
      seen.add(key);
    });
  });

const fields = {
  primaryIdentifier: identifierValueSchema,
  firstName: optionalText(200),
  middleName: optionalText(200),
  lastName: nameSchema,
  preferredName: optionalText(200).nullable(),
  userGroupId: idParam,
  emails: z.array(emailSchema).max(10).refine(atMostOnePreferred, ONE_PREFERRED),
  phones: z.array(phoneSchema).max(10).refine(atMostOnePreferred, ONE_PREFERRED),
  addresses: z.array(addressSchema).max(5).refine(atMostOnePreferred, ONE_PREFERRED),
  expiryDate: daySchema.nullable(),
  purgeDate: daySchema.nullable(),
  generalNote: z.string().max(2000),
  status: z.enum(PATRON_STATUSES),
  crossConsortiaId: identifierValueSchema.nullable(),
  identifiers: identifiersSchema,
};

/** The fields of a new record; the primary identifier, last name and user group are required. */
export const patronCreateSchema = z.strictObject({
  primaryIdentifier: fields.primaryIdentifier,
  firstName: fields.firstName.optional(),
  middleName: fields.middleName.optional(),
  lastName: fields.lastName,
  preferredName: fields.preferredName.optional(),
  userGroupId: fields.userGroupId,
  emails: fields.emails.optional(),
  phones: fields.phones.optional(),
  addresses: fields.addresses.optional(),
  expiryDate: fields.expiryDate.optional(),
  purgeDate: fields.purgeDate.optional(),
  generalNote: fields.generalNote.optional(),
  status: fields.status.optional(),
  crossConsortiaId: fields.crossConsortiaId.optional(),
  identifiers: fields.identifiers.optional(),
  password: patronPasswordSchema.optional(),
});
export type PatronCreate = z.infer<typeof patronCreateSchema>;

/** Any subset of the record; `identifiers`, when given, replaces all other identifiers. */
export const patronUpdateSchema = z.strictObject({
  primaryIdentifier: fields.primaryIdentifier.optional(),
  firstName: fields.firstName.optional(),
  middleName: fields.middleName.optional(),
  lastName: fields.lastName.optional(),
  preferredName: fields.preferredName.optional(),
  userGroupId: fields.userGroupId.optional(),
  emails: fields.emails.optional(),
  phones: fields.phones.optional(),
  addresses: fields.addresses.optional(),
  expiryDate: fields.expiryDate.optional(),
  purgeDate: fields.purgeDate.optional(),
  generalNote: fields.generalNote.optional(),
  status: fields.status.optional(),
  crossConsortiaId: fields.crossConsortiaId.optional(),
  identifiers: fields.identifiers.optional(),
});
export type PatronUpdate = z.infer<typeof patronUpdateSchema>;

export const blockCreateSchema = z.strictObject({
  blockType: identifierTypeSchema.describe('A block code such as FINES, LOST_CARD or LIBRARY'),
  reason: z.string().trim().max(500).optional(),
  networkBlock: z.boolean().optional().describe('PAT-7: carried to the linked accounts at other members'),
  expiresAt: z.iso
    .datetime({ offset: true, message: 'use a date and time such as 2027-01-31T17:00:00Z' })
    .nullable()
    .optional(),
});
export type BlockCreate = z.infer<typeof blockCreateSchema>;

export const searchQuerySchema = z.strictObject({
  q: z.string().trim().max(200).optional().describe('Name or identifier; case and diacritics are ignored'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

// ---- What the API shows ----

const userGroupViewSchema = z.object({ id: z.uuid(), code: z.string(), name: z.string() });

export const blockViewSchema = z
  .object({
    id: z.uuid(),
    blockType: z.string(),
    reason: z.string(),
    networkBlock: z.boolean(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
  })
  .meta({ id: 'PatronBlock' });

export const patronViewSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid(),
    primaryIdentifier: z.string(),
    firstName: z.string(),
    middleName: z.string(),
    lastName: z.string(),
    preferredName: z.string().nullable(),
    userGroup: userGroupViewSchema,
    emails: z.array(z.object({ address: z.string(), type: z.string(), preferred: z.boolean() })),
    phones: z.array(z.object({ number: z.string(), type: z.string(), preferred: z.boolean() })),
    addresses: z.array(
      z.object({
        lines: z.array(z.string()),
        city: z.string(),
        region: z.string(),
        postalCode: z.string(),
        country: z.string(),
        type: z.string(),
        preferred: z.boolean(),
      }),
    ),
    generalNote: z.string(),
    expiryDate: z.string().nullable(),
    purgeDate: z.string().nullable(),
    status: z.enum(PATRON_STATUSES),
    crossConsortiaId: z.string().nullable(),
    identifiers: z.array(z.object({ type: z.string(), value: z.string() })),
    blocks: z.array(blockViewSchema).describe('The active blocks'),
    expired: z.boolean().describe("The expiry date is today or earlier, in the institution's time zone"),
    blocked: z.boolean().describe('The record has at least one active block'),
    hasDiscoveryLogin: z.boolean().describe('A discovery password is set'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Patron' });
export type PatronView = z.infer<typeof patronViewSchema>;

export const patronSummarySchema = z
  .object({
    id: z.uuid(),
    primaryIdentifier: z.string(),
    firstName: z.string(),
    middleName: z.string(),
    lastName: z.string(),
    preferredName: z.string().nullable(),
    userGroup: userGroupViewSchema,
    expiryDate: z.string().nullable(),
    status: z.enum(PATRON_STATUSES),
    expired: z.boolean(),
    blocked: z.boolean(),
    identifierMatch: z.boolean().describe('The query is exactly one of the identifiers of this patron'),
  })
  .meta({ id: 'PatronSummary' });

export const patronSearchResultSchema = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  patrons: z.array(patronSummarySchema),
});
