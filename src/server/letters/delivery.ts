import nodemailer from 'nodemailer';
import type { Db } from '../db/database.ts';

/**
 * CIRC-12 / INV-7: delivery of the outbox by SMTP. Each letter is claimed in its own short
 * transaction with `FOR UPDATE SKIP LOCKED` (so two workers never take the same letter), sent
 * with its STABLE Message-ID (letters.message_id, fixed when the letter was written), and
 * marked delivered in that same transaction. A letter is therefore sent at least once and,
 * in normal operation, once: only a crash after the SMTP server accepted it and before the
 * commit sends it again, under the same Message-ID, which the receiving side uses to drop
 * the duplicate (SMTP sinks and mail stores dedupe by Message-ID). A failed attempt counts in
 * `attempts`, records `last_error` and waits with exponential backoff (`next_attempt_at`);
 * after `maxAttempts` the letter is `failed`. A letter without an address fails at once.
 */

export interface MailTransport {
  sendMail(message: {
    from: { name: string; address: string };
    to: string;
    subject: string;
    text: string;
    messageId: string;
    headers?: Record<string, string>;
  }): Promise<unknown>;
  close?(): void;
}

export interface DeliveryOptions {
  transport: MailTransport;
  /** Letters handled in this run, each in its own transaction (default 10). */
  batchSize?: number;
  now?: Date;
  /** Attempts before a letter is marked failed (default 5). */
  maxAttempts?: number;
  /** The first retry waits this long, then twice as long each time (default one minute). */
  baseDelayMs?: number;
  /** The longest wait between attempts (default six hours). */
  maxDelayMs?: number;
  /** Test hook: runs after the SMTP server accepted a letter and before it is marked delivered. */
  afterSend?: (letter: { id: string; messageId: string }) => void | Promise<void>;
}

export interface DeliveryResult {
  delivered: number;
  retrying: number;
  failed: number;
}

/** `<id@host>` as the Message-ID header wants it; the stored id never changes. */
export function messageIdHeader(messageId: string): string {
  const bare = messageId.replace(/^<|>$/g, '');
  return `<${bare.includes('@') ? bare : `${bare}@shelfshare`}>`;
}

/** The wait before the next attempt after `attempts` failed ones. */
export function backoffMs(attempts: number, baseDelayMs = 60_000, maxDelayMs = 6 * 3_600_000): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/** Delivers up to `batchSize` due pending letters; see the module comment for the guarantees. */
export async function deliverPendingLetters(db: Db, options: DeliveryOptions): Promise<DeliveryResult> {
  const batchSize = options.batchSize ?? 10;
  const maxAttempts = options.maxAttempts ?? 5;
  const result: DeliveryResult = { delivered: 0, retrying: 0, failed: 0 };
  const seen: string[] = [];
  for (let i = 0; i < batchSize; i++) {
    const now = options.now ?? new Date();
    const outcome = await db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('letters')
        .select([
          'institution_id',
          'id',
          'to_address',
          'from_address',
          'subject',
          'body',
          'message_id',
          'attempts',
        ])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(1)
        .forUpdate()
        .skipLocked();
      if (seen.length > 0) query = query.where('id', 'not in', seen);
      const letter = await query.executeTakeFirst();
      if (!letter) return 'none' as const;
      seen.push(letter.id);
      const institution = await trx
        .selectFrom('institutions')
        .select(['name', 'code', 'letters_from'])
        .where('id', '=', letter.institution_id)
        .executeTakeFirstOrThrow();
      const mark = (values: {
        status: 'pending' | 'delivered' | 'failed';
        attempts: number;
        last_error: string | null;
        delivered_at: Date | null;
        next_attempt_at: Date;
      }) =>
        trx
          .updateTable('letters')
          .set(values)
          .where('institution_id', '=', letter.institution_id)
          .where('id', '=', letter.id)
          .execute();
      const fail = async (error: string) => {
        const attempts = letter.attempts + 1;
        const final = attempts >= maxAttempts || letter.to_address === null;
        await mark({
          status: final ? 'failed' : 'pending',
          attempts,
          last_error: error,
          delivered_at: null,
          next_attempt_at: final
            ? now
            : new Date(now.getTime() + backoffMs(attempts, options.baseDelayMs, options.maxDelayMs)),
        });
        return final ? ('failed' as const) : ('retrying' as const);
      };
      if (!letter.to_address) return fail('The patron has no email address.');
      const messageId = messageIdHeader(letter.message_id);
      try {
        await options.transport.sendMail({
          from: {
            name: institution.name,
            address:
              letter.from_address ??
              institution.letters_from ??
              `library@${institution.code.toLowerCase()}.example`,
          },
          to: letter.to_address,
          subject: letter.subject,
          text: letter.body,
          messageId,
        });
      } catch (error) {
        return fail(errorText(error));
      }
      // Outside the try: a crash here leaves the letter pending, to be sent again under the same id.
      await options.afterSend?.({ id: letter.id, messageId });
      await mark({
        status: 'delivered',
        attempts: letter.attempts + 1,
        last_error: null,
        delivered_at: now,
        next_attempt_at: now,
      });
      return 'delivered' as const;
    });
    if (outcome === 'none') break;
    result[outcome]++;
  }
  return result;
}

export interface LetterDeliverySettings {
  /** smtp://user:pass@host:port (or smtps://); without it letters stay pending and readable. */
  smtpUrl?: string | null;
  /** How often the loop looks for due letters (default 10 s). */
  intervalMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** Replaces the transport made from smtpUrl (tests). */
  transport?: MailTransport;
  log?: { info(msg: string): void; error(obj: unknown, msg: string): void };
}

/**
 * Starts the delivery loop (for main.ts / the worker): every interval, batches are delivered
 * until no due letter is left. Returns a stop function that waits for the current batch. With
 * neither SMTP_URL nor a transport, nothing runs and letters stay pending.
 */
export function startLetterDelivery(db: Db, settings: LetterDeliverySettings): () => Promise<void> {
  const transport: MailTransport | null =
    settings.transport ??
    (settings.smtpUrl ? (nodemailer.createTransport(settings.smtpUrl) as unknown as MailTransport) : null);
  if (!transport) {
    settings.log?.info(
      'SMTP_URL is not set: letters stay pending in the outbox and readable through the API',
    );
    return async () => {};
  }
  const batchSize = settings.batchSize ?? 10;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      for (let round = 0; round < 100 && !stopped; round++) {
        const r = await deliverPendingLetters(db, {
          transport,
          batchSize,
          maxAttempts: settings.maxAttempts,
        });
        if (r.delivered + r.retrying + r.failed < batchSize) break;
      }
    } catch (error) {
      settings.log?.error({ err: error }, 'letter delivery failed');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, settings.intervalMs ?? 10_000);
  };
  running = tick().then(schedule);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
    if (!settings.transport) transport.close?.();
  };
}
