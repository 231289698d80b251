import type { Actor } from '../auth/authorize.ts';
import type { CommandContext } from '../config/commands.ts';
import type { Db } from '../db/database.ts';
import type { LetterType } from '../db/schema.ts';
import { authorizeFeeRead } from '../fees/commands.ts';
import { recordAudit } from '../shared/audit.ts';
import { notFound } from '../shared/errors.ts';
import { LETTER_PLACEHOLDERS, senderAddress } from './templates.ts';

/** CIRC-12: the letters written to a patron, newest first (circulation.desk or patrons.read). */
export async function listPatronLetters(
  db: Db,
  actor: Actor | null,
  institutionId: string,
  patronId: string,
) {
  authorizeFeeRead(actor, institutionId);
  const patron = await db
    .selectFrom('patrons')
    .select('id')
    .where('institution_id', '=', institutionId)
    .where('id', '=', patronId)
    .executeTakeFirst();
  if (!patron) throw notFound('PATRON_NOT_FOUND', 'No such patron in this institution.', { patronId });
  const rows = await db
    .selectFrom('letters')
    .selectAll()
    .where('institution_id', '=', institutionId)
    .where('patron_id', '=', patronId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    institutionId: r.institution_id,
    patronId: r.patron_id,
    letterType: r.letter_type,
    to: r.to_address,
    from: r.from_address,
    subject: r.subject,
    body: r.body,
    messageId: r.message_id,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
    deliveredAt: r.delivered_at?.toISOString() ?? null,
  }));
}

/** CIRC-12: the institution's sender and letter templates. */
export async function getLetterSettings(db: Db, institutionId: string) {
  const institution = await db
    .selectFrom('institutions')
    .select(['code', 'letters_from'])
    .where('id', '=', institutionId)
    .executeTakeFirst();
  if (!institution) throw notFound('INSTITUTION_NOT_FOUND', 'No such institution.', { institutionId });
  const templates = await db
    .selectFrom('letter_templates')
    .select(['letter_type', 'subject', 'body', 'updated_at'])
    .where('institution_id', '=', institutionId)
    .orderBy('letter_type')
    .execute();
  return {
    lettersFrom: institution.letters_from,
    sender: senderAddress(institution),
    placeholders: [...LETTER_PLACEHOLDERS],
    templates: templates.map((t) => ({
      letterType: t.letter_type,
      subject: t.subject,
      body: t.body,
      updatedAt: t.updated_at.toISOString(),
    })),
  };
}

/** Sets (or with null, removes) the template of one letter type (audited, NET-7). */
export async function setLetterTemplate(
  ctx: CommandContext,
  institutionId: string,
  letterType: LetterType,
  template: { subject: string; body: string } | null,
) {
  await ctx.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('letter_templates')
      .select(['subject', 'body'])
      .where('institution_id', '=', institutionId)
      .where('letter_type', '=', letterType)
      .executeTakeFirst();
    if (template) {
      await trx
        .insertInto('letter_templates')
        .values({ institution_id: institutionId, letter_type: letterType, ...template })
        .onConflict((oc) =>
          oc.columns(['institution_id', 'letter_type']).doUpdateSet({ ...template, updated_at: new Date() }),
        )
        .execute();
    } else {
      if (!before)
        throw notFound('LETTER_TEMPLATE_NOT_FOUND', 'This letter type uses the built-in text.', {
          letterType,
        });
      await trx
        .deleteFrom('letter_templates')
        .where('institution_id', '=', institutionId)
        .where('letter_type', '=', letterType)
        .execute();
    }
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: template ? (before ? 'update' : 'create') : 'delete',
      entityType: 'letter_template',
      entityId: `${institutionId}:${letterType}`,
      before,
      after: template ?? undefined,
    });
  });
  return getLetterSettings(ctx.db, institutionId);
}

/** Sets the institution's sender address; null goes back to library@<code>.example (audited). */
export async function setLettersFrom(ctx: CommandContext, institutionId: string, lettersFrom: string | null) {
  await ctx.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('institutions')
      .select('letters_from')
      .where('id', '=', institutionId)
      .executeTakeFirst();
    if (!before) throw notFound('INSTITUTION_NOT_FOUND', 'No such institution.', { institutionId });
    await trx
      .updateTable('institutions')
      .set({ letters_from: lettersFrom, updated_at: new Date() })
      .where('id', '=', institutionId)
      .execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      requestId: ctx.requestId,
      institutionId,
      action: 'update',
      entityType: 'institution_letters_from',
      entityId: institutionId,
      before: { lettersFrom: before.letters_from },
      after: { lettersFrom },
    });
  });
  return getLetterSettings(ctx.db, institutionId);
}
