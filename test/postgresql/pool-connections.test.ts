import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpenedDatabase } from '../../src/server/db/database.ts';
import { createTestDatabase } from '../support/database.ts';
import { signal } from '../support/locks.ts';

// Decision 75: the server's connections, once opened, stay open through a quiet spell, so the
// desks' next busy moment is served by backends that have their caches and prepared statements,
// not by new ones started in the middle of it (docs/benchmarks.md, ninth round).

let database: OpenedDatabase;

/** Runs `n` transactions at once, each holding its connection until all have one; their backends. */
async function backendsOfABurst(n: number): Promise<number[]> {
  const [allIn, letGo] = signal();
  let inside = 0;
  const burst = Array.from({ length: n }, () =>
    database.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
      inside += 1;
      if (inside === n) letGo();
      await allIn;
      return rows[0]?.pid ?? 0;
    }),
  );
  return (await Promise.all(burst)).sort((a, b) => a - b);
}

describe("the server's connections to PostgreSQL", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('stay open through a quiet minute, so the next burst meets the same backends', async () => {
    // The pool's idle timers run on a clock faked here, so a quiet minute takes no time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // The rush: six desks at once open six connections; then a quiet minute.
      const first = await backendsOfABurst(6);
      expect(new Set(first).size).toBe(6);
      vi.advanceTimersByTime(60_000);
      // Closing a backend takes a round trip: give one time to go, were it going.
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // ... and the next rush: no backend was closed and none new was started.
      expect(await backendsOfABurst(6)).toEqual(first);
    } finally {
      vi.useRealTimers();
    }
  });
});
