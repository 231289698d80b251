import { z } from 'zod';
import { daySchema, idParam, timeSchema } from '../shared/validation.ts';
import { institutionFields, networkSettingsFields } from './resources.ts';

export const publicInstitutionSchema = z
  .object({ id: z.uuid(), code: z.string(), name: z.string(), timeZone: z.string(), currency: z.string() })
  .meta({ id: 'PublicInstitution' });

export const publicInstitutionDetailSchema = publicInstitutionSchema
  .extend({
    libraries: z.array(
      z.object({
        id: z.uuid(),
        code: z.string(),
        name: z.string(),
        address: z.string().nullable(),
        servesOtherInstitutions: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'PublicInstitutionDetail' });

export const institutionSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    ...institutionFields,
    ...networkSettingsFields,
    networks: z.array(z.object({ id: z.uuid(), code: z.string(), name: z.string(), joinedAt: z.string() })),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Institution' });

export const institutionUpdateSchema = z.strictObject(
  Object.fromEntries(
    Object.entries({ ...institutionFields, ...networkSettingsFields }).map(([k, v]) => [
      k,
      (v as z.ZodType).optional(),
    ]),
  ) as {
    [K in keyof (typeof institutionFields & typeof networkSettingsFields)]: z.ZodOptional<
      (typeof institutionFields & typeof networkSettingsFields)[K]
    >;
  },
);

export const calendarSchema = z
  .strictObject({
    openingHours: z
      .array(
        z.strictObject({
          weekday: z.number().int().min(1).max(7).describe('ISO weekday: 1 Monday .. 7 Sunday'),
          opens: timeSchema,
          closes: timeSchema,
        }),
      )
      .max(7)
      .describe('A weekday without hours is closed'),
    closedDays: z
      .array(z.strictObject({ day: daySchema, reason: z.string().max(200).default('') }))
      .max(1000),
  })
  .meta({ id: 'Calendar' });

export const libraryRelationSchema = z
  .strictObject({
    libraryId: idParam,
    forLibraryId: idParam,
    lends: z.boolean(),
    delivers: z.boolean(),
  })
  .meta({ id: 'LibraryRelation' });

export const transitTimeSchema = z
  .strictObject({ fromLibraryId: idParam, toLibraryId: idParam, days: z.number().int().min(0).max(365) })
  .meta({ id: 'TransitTime' });

export type CalendarInput = z.infer<typeof calendarSchema>;
export type LibraryRelationInput = z.infer<typeof libraryRelationSchema>;
export type TransitTimeInput = z.infer<typeof transitTimeSchema>;
export type InstitutionUpdate = z.infer<typeof institutionUpdateSchema>;
