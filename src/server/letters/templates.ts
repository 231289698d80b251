import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database, LetterType } from '../db/schema.ts';

/**
 * CIRC-12: an institution's letters use its template for the letter type, when it has one,
 * and its sender. A template's subject and body may use `{{placeholders}}`; the built-in
 * text of the letter is available as `{{subject}}` and `{{body}}`, so a template can wrap it.
 */

type Executor = Db | Transaction<Database>;

export const LETTER_TYPES = [
  'loan_receipt',
  'return_receipt',
  'hold_available',
  'hold_shelf_reminder',
  'hold_expired',
  'courtesy',
  'overdue',
  'lost',
  'request_cancelled',
  'request_unfillable',
] as const satisfies readonly LetterType[];

/** The placeholders every letter offers (callers of writeLetter may add their own `values`). */
export const LETTER_PLACEHOLDERS = [
  'subject',
  'body',
  'patronName',
  'institutionName',
  'institutionCode',
  'letterType',
] as const;

/** Replaces `{{name}}` (spaces allowed inside the braces); an unknown name becomes empty. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

/** The institution's sender: its configured address, else library@<code>.example. */
export function senderAddress(institution: { code: string; letters_from: string | null }): string {
  return institution.letters_from ?? `library@${institution.code.toLowerCase()}.example`;
}

export interface LetterInput {
  institutionId: string;
  patronId: string;
  type: LetterType;
  subject: string;
  body: string;
  values?: Record<string, string>;
}

/** What composing a letter needs of its institution: name, code, sender and template for the type. */
export interface LetterSetting {
  institution: { name: string; code: string; letters_from: string | null };
  template: { subject: string; body: string } | null;
}

/**
 * The subject, body and sender of a letter, from its institution's setting and the patron's
 * name (pure: the callers read both, `composeLetter` or a use case that has them in hand).
 */
export function renderLetter(
  setting: LetterSetting,
  patronName: string,
  letter: Omit<LetterInput, 'institutionId' | 'patronId'>,
): { subject: string; body: string; from: string } {
  const from = senderAddress(setting.institution);
  const template = setting.template;
  if (!template) return { subject: letter.subject, body: letter.body, from };
  const values: Record<string, string> = {
    subject: letter.subject,
    body: letter.body,
    patronName,
    institutionName: setting.institution.name,
    institutionCode: setting.institution.code,
    letterType: letter.type,
    ...letter.values,
  };
  return {
    subject: renderTemplate(template.subject, values)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    body: renderTemplate(template.body, values),
    from,
  };
}

/** The subject, body and sender of a letter about to be written to the outbox. */
export async function composeLetter(
  db: Executor,
  letter: LetterInput,
): Promise<{ subject: string; body: string; from: string }> {
  // The institution and its template for the type in one statement (every letter reads them).
  const row = await db
    .selectFrom('institutions as i')
    .leftJoin('letter_templates as t', (j) =>
      j.onRef('t.institution_id', '=', 'i.id').on('t.letter_type', '=', letter.type),
    )
    .select(['i.name', 'i.code', 'i.letters_from', 't.subject', 't.body'])
    .where('i.id', '=', letter.institutionId)
    .executeTakeFirstOrThrow();
  const setting: LetterSetting = {
    institution: { name: row.name, code: row.code, letters_from: row.letters_from },
    template: row.subject !== null && row.body !== null ? { subject: row.subject, body: row.body } : null,
  };
  if (!setting.template) return renderLetter(setting, '', letter);
  const patron = await db
    .selectFrom('patrons')
    .select(['first_name', 'last_name', 'preferred_name'])
    .where('institution_id', '=', letter.institutionId)
    .where('id', '=', letter.patronId)
    .executeTakeFirst();
  const first = patron ? patron.preferred_name || patron.first_name : '';
  const name = patron ? (first ? `${first} ${patron.last_name}` : patron.last_name) : '';
  return renderLetter(setting, name, letter);
}
