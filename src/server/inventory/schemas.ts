import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);
const year = z.number().int().min(0).max(2100);

/** A bibliographic record entered by hand (MARC records come through the import). */
export const bibInputShape = {
  title: z.string().trim().min(1, 'is required').max(1000),
  subtitle: text(1000),
  author: text(500),
  publisher: text(500),
  publicationYear: year.nullable(),
  edition: text(200),
  language: z
    .string()
    .regex(/^[a-z]{3}$/, 'use a MARC language code such as eng')
    .nullable(),
  format: z.enum([
    'book',
    'serial',
    'score',
    'sound',
    'video',
    'map',
    'computer',
    'visual',
    'mixed',
    'manuscript',
    'other',
  ]),
  isbns: z.array(text(32)).max(50),
  issns: z.array(text(16)).max(20),
  oclcNumbers: z.array(z.string().regex(/^\d{1,15}$/, 'use digits only')).max(20),
  subjects: z.array(text(500)).max(100),
};

export const bibCreateSchema = z.strictObject({
  ...Object.fromEntries(Object.entries(bibInputShape).map(([k, v]) => [k, k === 'title' ? v : v.optional()])),
}) as unknown as z.ZodObject<{
  [K in keyof typeof bibInputShape]: K extends 'title'
    ? (typeof bibInputShape)[K]
    : z.ZodOptional<(typeof bibInputShape)[K]>;
}>;
export const bibUpdateSchema = z.strictObject(
  Object.fromEntries(Object.entries(bibInputShape).map(([k, v]) => [k, v.optional()])),
) as unknown as z.ZodObject<{ [K in keyof typeof bibInputShape]: z.ZodOptional<(typeof bibInputShape)[K]> }>;
export type BibCreate = z.infer<typeof bibCreateSchema>;
export type BibUpdate = z.infer<typeof bibUpdateSchema>;

export const holdingCreateSchema = z.strictObject({
  bibId: z.uuid('is not a valid id'),
  locationId: z
    .uuid('is not a valid id')
    .describe('The shelving location; its library is the holding library'),
  callNumber: text(200).optional(),
});
export const holdingUpdateSchema = z.strictObject({
  locationId: z.uuid('is not a valid id').optional(),
  callNumber: text(200).optional(),
});

const barcode = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64)
  .regex(/^[\x21-\x7e]+$/, 'use printable characters without spaces');

export const itemCreateSchema = z.strictObject({
  holdingId: z.uuid('is not a valid id'),
  barcode,
  materialTypeId: z.uuid('is not a valid id'),
  itemPolicyId: z.uuid('is not a valid id'),
  enumeration: text(100).optional().describe('Volume or issue, e.g. "v.2"'),
  chronology: text(100).optional(),
  description: text(500).optional(),
});
export const itemUpdateSchema = z.strictObject({
  barcode: barcode.optional(),
  materialTypeId: z.uuid('is not a valid id').optional(),
  itemPolicyId: z.uuid('is not a valid id').optional(),
  enumeration: text(100).optional(),
  chronology: text(100).optional(),
  description: text(500).optional(),
});
export type ItemCreate = z.infer<typeof itemCreateSchema>;
export type ItemUpdate = z.infer<typeof itemUpdateSchema>;

export const itemViewSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid(),
    institutionCode: z.string(),
    barcode: z.string(),
    bibId: z.uuid(),
    holdingId: z.uuid(),
    title: z.string(),
    author: z.string(),
    callNumber: z.string(),
    library: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    location: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    materialType: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    itemPolicy: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    enumeration: z.string(),
    chronology: z.string(),
    description: z.string(),
    status: z.enum(['in_place', 'not_in_place', 'withdrawn']),
    processType: z.string().nullable(),
    statusText: z.string().describe('The state in words for the desk'),
    withdrawnAt: z.string().nullable(),
  })
  .meta({ id: 'Item' });

export const holdingViewSchema = z
  .object({
    id: z.uuid(),
    bibId: z.uuid(),
    callNumber: z.string(),
    library: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    location: z.object({ id: z.uuid(), code: z.string(), name: z.string() }),
    items: z.array(itemViewSchema),
  })
  .meta({ id: 'Holding' });

export const bibViewSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid(),
    sourceId: z.string().nullable(),
    workKey: z.string(),
    title: z.string(),
    subtitle: z.string(),
    author: z.string(),
    publisher: z.string(),
    publicationYear: z.number().nullable(),
    edition: z.string(),
    language: z.string().nullable(),
    format: z.string(),
    isbns: z.array(z.string()),
    issns: z.array(z.string()),
    oclcNumbers: z.array(z.string()),
    subjects: z.array(z.string()),
    withdrawnAt: z.string().nullable(),
    holdings: z.array(holdingViewSchema),
  })
  .meta({ id: 'BibRecord' });
