import { IANAZone } from 'luxon';
import { z } from 'zod';
import { badRequest } from './errors.ts';

/** Codes are short identifiers staff type and see on slips. */
export const codeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1 to 32 letters, digits, "-" or "_"');
export const nameSchema = z.string().trim().min(1, 'is required').max(200);
export const timeZoneSchema = z
  .string()
  .refine((tz) => IANAZone.isValidZone(tz), 'is not an IANA time zone such as Europe/Oslo');
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'use an ISO 4217 code such as EUR');
export const daySchema = z.iso.date('use a date as YYYY-MM-DD');
export const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use a time as HH:MM');
/** Money in minor units (cents), never floating point (CIRC-11). */
export const minorUnitsSchema = z.number().int('use whole minor units (cents)').min(0).max(100_000_000);
export const idParam = z.uuid('is not a valid id');

export interface FieldProblem {
  field: string;
  message: string;
}

/** A 400 naming every bad field at once (NET-7). */
export function invalidFields(problems: FieldProblem[]) {
  return badRequest(
    'VALIDATION_FAILED',
    `Invalid input: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    { fields: problems },
  );
}
