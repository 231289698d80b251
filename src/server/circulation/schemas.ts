import { z } from 'zod';
import { idParam } from '../shared/validation.ts';

export const barcodeSchema = z.string().trim().min(1, 'is required').max(64);
export const overrideSchema = z.strictObject({
  codes: z
    .array(z.string().regex(/^[A-Z_]{1,64}$/, 'use refusal codes such as PATRON_BLOCKED'))
    .min(1)
    .max(20),
  note: z.string().trim().max(500).optional(),
  approver: z
    .strictObject({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(200) })
    .optional()
    .describe('A manager approving at this desk: their own username and password (their privilege counts)'),
});

export const lendBodySchema = z.strictObject({
  deskId: idParam,
  itemBarcode: barcodeSchema,
  patronId: idParam,
  override: overrideSchema.optional(),
});
export const renewBodySchema = z.strictObject({ override: overrideSchema.optional() });
export const returnBodySchema = z.strictObject({ deskId: idParam, itemBarcode: barcodeSchema });

export const loanViewSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid().describe('The owner of the item (INV-6)'),
    item: z.object({ id: z.uuid(), barcode: z.string(), title: z.string(), author: z.string() }),
    patron: z.object({ id: z.uuid(), name: z.string() }),
    loanedAt: z.string(),
    dueAt: z.string(),
    status: z.enum(['active', 'returned', 'lost', 'claimed_returned']),
    overdue: z.boolean(),
    renewalsUsed: z.number().int(),
    renewalsAllowed: z.number().int(),
    returnedAt: z.string().nullable(),
    desk: z.object({ id: z.uuid(), name: z.string(), institutionId: z.uuid() }),
    library: z.object({ id: z.uuid(), name: z.string() }),
    receiptUrl: z.string(),
  })
  .meta({ id: 'Loan' });

export const lendResultSchema = z.object({
  loan: loanViewSchema,
  termsFallback: z.boolean().describe('CIRC-2: the fallback rule chose the terms of use'),
  dueDate: z.object({
    cappedBy: z.enum(['none', 'fixed_due_date', 'account_expiry']),
    movedFromClosedDay: z.boolean(),
  }),
  overridden: z.array(z.string()).describe('Refusal codes overridden (recorded in the item history)'),
  receiptUrl: z.string(),
});

export const renewResultSchema = z.object({ loan: loanViewSchema });

export const returnResultSchema = z.object({
  loan: loanViewSchema.nullable().describe('The loan closed, or null for a scan-in of an item not on loan'),
  item: z.object({ id: z.uuid(), barcode: z.string(), title: z.string() }),
  fine: z
    .object({
      amountMinor: z.number().int(),
      currency: z.string(),
      overdueDays: z.number().int(),
      chargedDays: z.number().int(),
    })
    .nullable(),
  nextStep: z.object({
    kind: z.enum(['hold_shelf', 'transit', 'reshelve']),
    reason: z.enum(['request', 'return_to_owner', 'home_library']).optional(),
    libraryId: z.uuid().optional().describe('Where the item goes: the hold shelf, transit or home library'),
    requestId: z.uuid().optional().describe('The request the item fills (CIRC-6)'),
    transitId: z.uuid().optional().describe('The transit opened, or kept open (CIRC-9)'),
    receivedTransitId: z.uuid().optional().describe('The transit this scan received'),
    keptDestination: z
      .boolean()
      .optional()
      .describe('CIRC-9: scanned at a third library, the item keeps its request destination'),
    holdShelfExpiresAt: z.string().optional().describe('CIRC-8: when the request on the shelf expires'),
    slipUrl: z.string().nullable().describe('The transit slip or hold shelf slip to print, when one is due'),
    text: z.string(),
  }),
});

const ref = z.object({ id: z.uuid(), name: z.string().nullable() }).nullable();
export const historyEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  event: z.string(),
  loanId: z.uuid().nullable(),
  institution: ref,
  library: ref,
  desk: ref,
  operator: ref,
  patron: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  details: z.record(z.string(), z.unknown()),
});
