import { sql } from 'kysely';
import type { Db } from '../../src/server/db/database.ts';

/** Whether a backend of this PostgreSQL database waits for a lock (polled for up to two seconds). */
export async function waitingForALock(db: Db): Promise<boolean> {
  for (let k = 0; k < 40; k++) {
    const waiting = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if ((waiting.rows[0]?.n ?? 0) > 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** A promise and the function that settles it: one desk tells the other when to go on. */
export function signal(): [Promise<void>, () => void] {
  let settle = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return [settled, settle];
}
