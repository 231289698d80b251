import { z } from 'zod';
import { daySchema, idParam } from '../shared/validation.ts';

const reasonSchema = z.string().trim().min(1, 'is required').max(500);

const placeFields = {
  bibId: idParam.optional().describe('A title request: the bibliographic record'),
  itemId: idParam.optional().describe('An item request: the item'),
  requestType: z
    .enum(['hold', 'page'])
    .describe('CIRC-7: a hold waits in the queue; a page needs an available copy'),
  pickupLibraryId: idParam,
  volume: z.string().trim().max(100).optional().describe("A title request's volume (the items' enumeration)"),
  notNeededAfter: daySchema
    .optional()
    .describe(
      'CIRC-7 / CIRC-10: YYYY-MM-DD, today or later (owner time zone); a request still waiting after this day expires',
    ),
};
const oneTarget = (b: { bibId?: string; itemId?: string }) =>
  (b.bibId === undefined) !== (b.itemId === undefined);
const oneTargetError = { message: 'name either bibId or itemId', path: ['bibId'] };

export const placeByPatronSchema = z.strictObject(placeFields).refine(oneTarget, oneTargetError);
export const placeByStaffSchema = z
  .strictObject({ ...placeFields, patronId: idParam })
  .refine(oneTarget, oneTargetError);
export const cancelByStaffSchema = z.strictObject({ reason: reasonSchema });
export const cancelByPatronSchema = z.strictObject({ reason: reasonSchema.optional() });
export const missingSchema = z.strictObject({
  condition: z.enum(['missing', 'damaged']),
  note: z.string().trim().max(500).optional(),
});
export const expireSchema = z.strictObject({});

const named = z.object({ id: z.string(), name: z.string() });
export const requestViewSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid().describe('The owner of the requested inventory (INV-6)'),
    status: z.enum([
      'not_started',
      'in_process',
      'in_transit',
      'on_hold_shelf',
      'completed',
      'cancelled',
      'expired',
    ]),
    requestType: z.enum(['hold', 'page']),
    level: z.enum(['title', 'item']),
    queuePosition: z.number().int().nullable(),
    title: z.object({ id: z.uuid(), title: z.string(), author: z.string() }),
    volume: z.string(),
    item: z
      .object({
        id: z.uuid(),
        barcode: z.string(),
        callNumber: z.string(),
        location: z.string(),
        library: named,
      })
      .nullable()
      .describe('The targeted (title request) or requested (item request) copy'),
    patron: z.object({ id: z.uuid(), name: z.string(), identifier: z.string() }),
    pickupLibrary: z.object({ id: z.uuid(), name: z.string(), institutionId: z.uuid() }),
    placedAt: z.string(),
    placedByStaff: z.boolean(),
    holdShelfExpiresAt: z.string().nullable(),
    holdShelfExpired: z.boolean(),
    completedLoanId: z.uuid().nullable(),
    cancelReason: z.string().nullable(),
    closedAt: z.string().nullable(),
    slipUrl: z.string().optional().describe('The hold shelf slip, while on the shelf'),
  })
  .meta({ id: 'Request' });

export const markMissingResultSchema = z.object({
  request: requestViewSchema,
  retargetedItemId: z.uuid().nullable().describe('The copy the request now targets, or null: none left now'),
});
export const expireResultSchema = z.object({ expired: z.number().int(), requestIds: z.array(z.uuid()) });
