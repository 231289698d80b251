import { sql } from 'kysely';
import { dayAt, type LibraryCalendar, plusDays, previousOpenDay } from '../circulation/rules/index.ts';
import { expireHoldShelf } from '../requests/commands.ts';
import { writeRequestLetter } from '../requests/queue.ts';
import { type JobContext, type JobResult, type Key, keysetBatches } from './context.ts';
import { calendarCache } from './loans.ts';

/**
 * CIRC-8 / CIRC-10: the reminder one open day before a hold shelf expires, and the expiry.
 */

/**
 * CIRC-8: the day the reminder goes out: the pickup library's last open day before the expiry
 * day (the expiry day itself when none is found within a year).
 */
export function reminderDay(calendar: LibraryCalendar, expiresAt: Date): string {
  const expiryDay = dayAt(calendar.timeZone, expiresAt);
  return previousOpenDay(calendar, plusDays(expiryDay, -1)) ?? expiryDay;
}

/**
 * CIRC-8: requests on the hold shelf whose reminder day (in the pickup library's calendar) has
 * come and which have not expired yet get the hold shelf reminder, once per request (message id
 * `hold-shelf-reminder-<request>`). Batches lock their requests `FOR UPDATE` and re-read the
 * status, so a request picked up meanwhile gets no reminder.
 */
export async function sendHoldShelfReminders(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  const calendarOf = calendarCache();
  return keysetBatches(ctx, (after: Key | null, limit) =>
    db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        institution_id: string;
        id: string;
        patron_id: string;
        pickup_library_id: string;
        hold_shelf_expires_at: Date;
        title: string;
        library_name: string;
      }>`SELECT r.institution_id, r.id, r.patron_id, r.pickup_library_id, r.hold_shelf_expires_at,
          b.title, lib.name AS library_name
        FROM requests r
        JOIN bib_records b ON b.institution_id = r.institution_id AND b.id = r.bib_id
        JOIN libraries lib ON lib.id = r.pickup_library_id
        WHERE r.status = 'on_hold_shelf' AND r.hold_shelf_expires_at > ${now}
          ${after ? sql`AND (r.institution_id, r.id) > (${after.institutionId}::uuid, ${after.id}::uuid)` : sql``}
        ORDER BY r.institution_id, r.id LIMIT ${limit} FOR UPDATE OF r`.execute(trx);
      let changed = 0;
      for (const r of rows) {
        const calendar = await calendarOf(r.pickup_library_id, trx);
        if (dayAt(calendar.timeZone, now) < reminderDay(calendar, r.hold_shelf_expires_at)) continue;
        const messageId = `hold-shelf-reminder-${r.id}@shelfshare`;
        const sent = await trx
          .selectFrom('letters')
          .select('id')
          .where('message_id', '=', messageId)
          .executeTakeFirst();
        if (sent) continue;
        await writeRequestLetter(trx, {
          institutionId: r.institution_id,
          patronId: r.patron_id,
          type: 'hold_shelf_reminder',
          subject: 'your request waits on the hold shelf',
          lines: [
            `${r.title} waits for you on the hold shelf of ${r.library_name} until ${dayAt(calendar.timeZone, r.hold_shelf_expires_at)}. Please collect it before then.`,
          ],
          messageId,
          now,
        });
        changed++;
      }
      const last = rows.at(-1);
      return {
        rows: rows.length,
        last: last ? { institutionId: last.institution_id, id: last.id } : null,
        changed,
      };
    }),
  );
}

/**
 * CIRC-8 / CIRC-10: hold shelf expiry, through the `expireHoldShelf` use case of each pickup
 * library with an expired request on its shelf (each request its own transaction there, at
 * most 500 per call: called again until a call expires nothing).
 */
export async function expireHoldShelves(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  const libraries = await db
    .selectFrom('requests')
    .select('pickup_library_id')
    .distinct()
    .where('status', '=', 'on_hold_shelf')
    .where('hold_shelf_expires_at', '<=', now)
    .orderBy('pickup_library_id')
    .execute();
  const result: JobResult = { batches: 0, processed: 0, changed: 0, libraries: libraries.length };
  for (const { pickup_library_id: libraryId } of libraries) {
    for (;;) {
      const { expired } = await expireHoldShelf({ db }, { libraryId, now });
      if (expired === 0) break;
      result.batches += 1;
      result.processed += expired;
      result.changed += expired;
      await ctx.afterBatch?.({ batch: result.batches, rows: expired });
    }
  }
  return result;
}
