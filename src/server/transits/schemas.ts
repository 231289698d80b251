import { z } from 'zod';

export const transitViewSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid().describe('The owner of the item (INV-6)'),
    reason: z.enum(['request', 'return_to_owner', 'home_library']),
    requestId: z.uuid().nullable(),
    status: z.enum(['open', 'received', 'cancelled']),
    item: z.object({ id: z.uuid(), barcode: z.string(), title: z.string() }),
    from: z.object({ id: z.uuid(), name: z.string() }),
    to: z.object({ id: z.uuid(), name: z.string() }),
    sentAt: z.string(),
    expectedArrivalAt: z.string(),
    late: z.boolean().describe('CIRC-9: the expected arrival has passed'),
    slipUrl: z.string(),
  })
  .meta({ id: 'Transit' });

export const transitListQuerySchema = z.strictObject({
  direction: z.enum(['to', 'from']).default('to'),
});
export const cancelTransitSchema = z.strictObject({
  reason: z.string().trim().min(1, 'is required').max(500),
});
