import { z } from 'zod';
import { authorize } from '../auth/authorize.ts';
import type { Db } from '../db/database.ts';
import type { RouteApp } from '../http/app.ts';
import { authorizedContext } from '../shared/command-context.ts';
import { ERROR_RESPONSES } from '../shared/http-errors.ts';
import { idParam } from '../shared/validation.ts';
import { getLetterSettings, listPatronLetters, setLettersFrom, setLetterTemplate } from './commands.ts';
import { LETTER_TYPES } from './templates.ts';

const errors = ERROR_RESPONSES;
const tags = ['letters'];
const letterTypeSchema = z.enum(LETTER_TYPES);
const letterSchema = z
  .object({
    id: z.uuid(),
    institutionId: z.uuid(),
    patronId: z.uuid(),
    letterType: letterTypeSchema,
    to: z.string().nullable(),
    from: z.string().nullable(),
    subject: z.string(),
    body: z.string(),
    messageId: z.string().describe('Stable: a letter is never sent under two ids'),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: 'Letter' });
const settingsSchema = z
  .object({
    lettersFrom: z.string().nullable().describe('The configured sender; null uses the default'),
    sender: z.string().describe('The sender in use (default library@<code>.example)'),
    placeholders: z.array(z.string()),
    templates: z.array(
      z.object({
        letterType: letterTypeSchema,
        subject: z.string(),
        body: z.string(),
        updatedAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'LetterSettings' });
const institutionParams = z.object({ institutionId: idParam });
const templateParams = z.object({ institutionId: idParam, letterType: letterTypeSchema });

/** Letters (CIRC-12): what a patron was sent, and each institution's templates and sender. */
export function registerLetterRoutes(app: RouteApp, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/circulation/patrons/:institutionId/:patronId/letters',
    {
      schema: {
        tags,
        summary: 'The letters written to a patron, newest first, with their delivery state (CIRC-12)',
        params: z.object({ institutionId: idParam, patronId: idParam }),
        response: { 200: z.array(letterSchema), ...errors },
      },
    },
    async (request) =>
      listPatronLetters(db, request.actor, request.params.institutionId, request.params.patronId),
  );
  app.get(
    '/institutions/:institutionId/letter-templates',
    {
      schema: {
        tags,
        summary: "The institution's letter sender and templates ({{placeholders}})",
        params: institutionParams,
        response: { 200: settingsSchema, ...errors },
      },
    },
    async (request) => {
      authorize(request.actor, 'config.read', { institutionId: request.params.institutionId });
      return getLetterSettings(db, request.params.institutionId);
    },
  );
  app.put(
    '/institutions/:institutionId/letter-templates/:letterType',
    {
      schema: {
        tags,
        summary:
          'Sets the template of a letter type; {{subject}} and {{body}} hold the built-in text (audited)',
        params: templateParams,
        body: z.strictObject({
          subject: z.string().trim().min(1, 'is required').max(300),
          body: z.string().min(1, 'is required').max(20_000),
        }),
        response: { 200: settingsSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, letterType } = request.params;
      const ctx = authorizedContext(db, request, 'config.fulfillment.manage', { institutionId });
      return setLetterTemplate(ctx, institutionId, letterType, request.body);
    },
  );
  app.delete(
    '/institutions/:institutionId/letter-templates/:letterType',
    {
      schema: {
        tags,
        summary: 'Removes the template of a letter type: the built-in text is used again (audited)',
        params: templateParams,
        response: { 200: settingsSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId, letterType } = request.params;
      const ctx = authorizedContext(db, request, 'config.fulfillment.manage', { institutionId });
      return setLetterTemplate(ctx, institutionId, letterType, null);
    },
  );
  app.put(
    '/institutions/:institutionId/letter-sender',
    {
      schema: {
        tags,
        summary: "Sets the institution's letter sender address; null uses library@<code>.example (audited)",
        params: institutionParams,
        body: z.strictObject({ lettersFrom: z.email().nullable() }),
        response: { 200: settingsSchema, ...errors },
      },
    },
    async (request) => {
      const { institutionId } = request.params;
      const ctx = authorizedContext(db, request, 'config.institution.manage', { institutionId });
      return setLettersFrom(ctx, institutionId, request.body.lettersFrom);
    },
  );
}
