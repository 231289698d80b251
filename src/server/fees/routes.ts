import { z } from 'zod';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import { claimReturned, listClaimedReturned } from './claimed-returned.ts';
import { feeAction, getFee, listMyFees, listPatronFees } from './commands.ts';

const errors = ERROR_RESPONSES;
const tags = ['fees'];
const amountSchema = z
  .number()
  .int('use whole minor units (cents)')
  .min(1, 'must be at least 1 minor unit')
  .max(100_000_000);
const textSchema = z.string().trim().max(500);

const transactionSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['payment', 'waive', 'refund']),
  amountMinor: z.number().int(),
  reason: z.string().nullable(),
  method: z.string().nullable(),
  staffId: z.string().nullable(),
  staffName: z.string().nullable(),
  at: z.string(),
});
export const feeSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid(),
    patronId: z.uuid(),
    loanId: z.string().nullable(),
    item: z
      .object({ id: z.string(), barcode: z.string().nullable(), title: z.string().nullable() })
      .nullable(),
    feeType: z.enum([
      'overdue_fine',
      'lost_item_replacement',
      'lost_item_processing',
      'renewal_fee',
      'credit',
      'other',
    ]),
    status: z.enum(['active', 'closed']),
    currency: z.string(),
    originalMinor: z.number().int().describe('The amount charged, in minor units'),
    balanceMinor: z.number().int().describe('Still owed: original minus payments and waivers (INV-5)'),
    paidMinor: z.number().int(),
    waivedMinor: z.number().int(),
    refundedMinor: z.number().int().describe('Given back of what was paid; a refund never reopens a fee'),
    createdAt: z.string(),
    updatedAt: z.string(),
    transactions: z.array(transactionSchema),
  })
  .meta({ id: 'Fee' });
const patronFeesSchema = z
  .object({
    patronId: z.uuid(),
    institutionId: z.uuid(),
    balances: z.array(z.object({ currency: z.string(), balanceMinor: z.number().int() })),
    fees: z.array(feeSchema),
  })
  .meta({ id: 'PatronFees' });
const actionResultSchema = z.object({ transactionId: z.uuid(), fee: feeSchema });
const claimedReturnedSchema = z
  .object({
    loanId: z.uuid(),
    institutionId: z.uuid(),
    item: z.object({ id: z.uuid(), barcode: z.string(), title: z.string() }),
    patron: z.object({ id: z.uuid(), name: z.string(), identifier: z.string() }),
    loanedAt: z.string(),
    dueAt: z.string(),
    claimedReturnedAt: z.string().nullable(),
  })
  .meta({ id: 'ClaimedReturnedLoan' });
const feeParams = z.object({ institutionId: idParam, feeId: idParam });

/** Fees (CIRC-11): lists with balances, payments, waivers, refunds; claimed-returned loans. */
export function registerFeeRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  const ctx = (request: { actor: Parameters<typeof getFee>[1]; id: string }) => ({
    db,
    actor: request.actor,
    requestId: request.id,
  });

  app.get(
    '/circulation/patrons/:institutionId/:patronId/fees',
    {
      schema: {
        tags,
        summary: "A patron's fees with their transactions and the open balance per currency (CIRC-11)",
        params: z.object({ institutionId: idParam, patronId: idParam }),
        response: { 200: patronFeesSchema, ...errors },
      },
    },
    async (request) =>
      listPatronFees(db, request.actor, request.params.institutionId, request.params.patronId),
  );
  app.get(
    '/patron/fees',
    {
      schema: {
        tags,
        summary: "The signed-in patron's own fees and balances",
        response: { 200: patronFeesSchema, ...errors },
      },
    },
    async (request) => listMyFees(db, request.actor),
  );
  app.get(
    '/circulation/fees/:institutionId/:feeId',
    {
      schema: {
        tags,
        summary: 'One fee with its transactions',
        params: feeParams,
        response: { 200: feeSchema, ...errors },
      },
    },
    async (request) => getFee(db, request.actor, request.params.institutionId, request.params.feeId),
  );
  app.post(
    '/circulation/fees/:institutionId/:feeId/payments',
    {
      schema: {
        tags,
        summary:
          'Takes a payment, partial or full (fees.manage); 422 FEE_OVERPAYMENT when more than the balance',
        params: feeParams,
        body: z.strictObject({
          amountMinor: amountSchema,
          method: textSchema.optional(),
          reason: textSchema.optional(),
        }),
        response: { 201: actionResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, feeId } = request.params;
      return reply
        .status(201)
        .send(await feeAction(ctx(request), 'payment', institutionId, feeId, request.body));
    },
  );
  app.post(
    '/circulation/fees/:institutionId/:feeId/waivers',
    {
      schema: {
        tags,
        summary:
          'Waives part or (without an amount) all of the balance, with a reason (fees.manage); 422 FEE_OVER_WAIVE',
        params: feeParams,
        body: z.strictObject({
          amountMinor: amountSchema.optional(),
          reason: textSchema.min(1, 'is required'),
        }),
        response: { 201: actionResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, feeId } = request.params;
      return reply
        .status(201)
        .send(await feeAction(ctx(request), 'waive', institutionId, feeId, request.body));
    },
  );
  app.post(
    '/circulation/fees/:institutionId/:feeId/refunds',
    {
      schema: {
        tags,
        summary:
          'Refunds money paid, up to what was paid and not yet refunded (fees.manage); the fee is not reopened; 422 FEE_OVER_REFUND',
        params: feeParams,
        body: z.strictObject({
          amountMinor: amountSchema,
          reason: textSchema.optional(),
          method: textSchema.optional(),
        }),
        response: { 201: actionResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { institutionId, feeId } = request.params;
      return reply
        .status(201)
        .send(await feeAction(ctx(request), 'refund', institutionId, feeId, request.body));
    },
  );
  app.post(
    '/circulation/loans/:institutionId/:loanId/claim-returned',
    {
      schema: {
        tags: ['circulation'],
        summary: 'Marks a loan claimed returned: accrual stops and staff see it listed (CIRC-11)',
        params: z.object({ institutionId: idParam, loanId: idParam }),
        body: z.strictObject({ note: textSchema.optional() }).optional(),
        response: { 200: claimedReturnedSchema, ...errors },
      },
    },
    async (request) =>
      claimReturned(ctx(request), request.params.institutionId, request.params.loanId, request.body ?? {}),
  );
  app.get(
    '/circulation/institutions/:institutionId/claimed-returned',
    {
      schema: {
        tags: ['circulation'],
        summary: 'Claimed-returned loans for staff to resolve, oldest claim first (CIRC-11)',
        params: z.object({ institutionId: idParam }),
        response: { 200: z.array(claimedReturnedSchema), ...errors },
      },
    },
    async (request) => listClaimedReturned(db, request.actor, request.params.institutionId),
  );
}
