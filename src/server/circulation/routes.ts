import { z } from 'zod';
import { requirePatron, requireStaff } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { serializeAsPresented } from '../http/serialize.ts';
import { authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import { lendItem } from './lend.ts';
import { itemHistory, listMyLoans, listPatronLoans, loanReceiptHtml } from './reads.ts';
import { emailLoanReceipt } from './receipt-email.ts';
import { renewLoanByPatron, renewLoanByStaff } from './renew.ts';
import { returnItem } from './return.ts';
import {
  historyEntrySchema,
  lendBodySchema,
  lendResultSchema,
  loanViewSchema,
  renewBodySchema,
  renewResultSchema,
  returnBodySchema,
  returnResultSchema,
} from './schemas.ts';

const errors = ERROR_RESPONSES;
const tags = ['circulation'];
const loanParams = z.object({ institutionId: idParam, loanId: idParam });

/** Circulation at a desk and in discovery (CIRC-4..6, CIRC-13). Routes validate, then call one use case. */
export function registerCirculationRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;
  const staffCtx = (request: { actor: Parameters<typeof requireStaff>[0]; id: string }) => ({
    db,
    actor: requireStaff(request.actor),
    requestId: request.id,
  });

  app.post(
    '/circulation/loans',
    {
      schema: {
        tags,
        summary: 'Lends an item to a patron at a desk (CIRC-4); 422 LOAN_REFUSED lists every reason',
        body: lendBodySchema,
        response: { 201: lendResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const result = await lendItem(staffCtx(request), request.body);
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/circulation/loans/:institutionId/:loanId/renew',
    {
      schema: {
        tags,
        summary: 'Renews a loan by staff (CIRC-5); overridable refusals need circulation.override',
        params: loanParams,
        body: renewBodySchema,
        response: { 200: renewResultSchema, ...errors },
      },
    },
    async (request) =>
      renewLoanByStaff(staffCtx(request), request.params.institutionId, request.params.loanId, request.body),
  );

  app.post(
    '/patron/loans/:institutionId/:loanId/renew',
    {
      schema: {
        tags,
        summary: "Renews one of the signed-in patron's own loans (CIRC-5)",
        params: loanParams,
        response: { 200: renewResultSchema, ...errors },
      },
    },
    async (request) =>
      renewLoanByPatron(
        { db, actor: requirePatron(request.actor), requestId: request.id },
        request.params.institutionId,
        request.params.loanId,
      ),
  );

  app.post(
    '/circulation/returns',
    {
      schema: {
        tags,
        summary:
          'Returns or scans in an item at a desk (CIRC-6): closes the loan, sets the overdue fine, says the next step',
        body: returnBodySchema,
        response: { 200: returnResultSchema, ...errors },
      },
    },
    async (request) => returnItem(staffCtx(request), request.body),
  );

  app.get(
    '/circulation/patrons/:institutionId/:patronId/loans',
    {
      schema: {
        tags,
        summary: "A patron's open loans with due dates, overdue flags and renewals",
        params: z.object({ institutionId: idParam, patronId: idParam }),
        response: { 200: z.array(loanViewSchema), ...errors },
      },
      // Up to hundreds of loans, each built field by field by `presentLoanFacts` (decision 71).
      serializerCompiler: serializeAsPresented,
    },
    async (request) =>
      listPatronLoans(db, request.actor, request.params.institutionId, request.params.patronId),
  );

  app.post(
    '/circulation/patrons/:institutionId/:patronId/loan-receipts',
    {
      schema: {
        tags,
        summary:
          'Emails the patron one loan receipt listing some of their current loans (CIRC-4, CIRC-12); 422 PATRON_HAS_NO_EMAIL',
        params: z.object({ institutionId: idParam, patronId: idParam }),
        body: z.strictObject({ loanIds: z.array(z.uuid()).min(1).max(100) }),
        response: {
          202: z.object({
            letterId: z.uuid().describe('The loan_receipt letter written to the outbox'),
            to: z.string().describe("The patron's preferred email address"),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { institutionId, patronId } = request.params;
      const ctx = authorizedContext(db, request, 'circulation.desk', { institutionId });
      return reply
        .status(202)
        .send(await emailLoanReceipt(ctx, institutionId, patronId, request.body.loanIds));
    },
  );

  app.get(
    '/patron/loans',
    {
      schema: {
        tags,
        summary: "The signed-in patron's own open loans",
        response: { 200: z.array(loanViewSchema), ...errors },
      },
    },
    async (request) => listMyLoans(db, request.actor),
  );

  app.get(
    '/institutions/:institutionId/items/:itemId/history',
    {
      schema: {
        tags,
        summary: "An item's history: every loan, renewal, return, scan and override (CIRC-13)",
        params: z.object({ institutionId: idParam, itemId: idParam }),
        response: { 200: z.array(historyEntrySchema), ...errors },
      },
    },
    async (request) => itemHistory(db, request.actor, request.params.institutionId, request.params.itemId),
  );

  app.get(
    '/circulation/loans/:institutionId/:loanId/receipt',
    {
      schema: {
        tags,
        summary: 'The loan receipt as a print-ready HTML page (CIRC-4)',
        params: loanParams,
        produces: ['text/html'],
        response: { 200: z.string().describe('text/html'), ...errors },
      },
    },
    async (request, reply) => {
      const html = await loanReceiptHtml(
        db,
        request.actor,
        request.params.institutionId,
        request.params.loanId,
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );
}
