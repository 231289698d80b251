import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { serverPool } from '../db/database.ts'; // also the type parsers (int8, date) of every connection
import { commitsItsTransaction, statementsOf } from '../db/pipeline.ts';
import type { Database } from '../db/schema.ts';
import { buildApp } from '../http/app.ts';
import { exitWithError } from '../shared/errors.ts';
import { BENCH_PASSWORD } from './generate.ts';
import { selectWork } from './pools.ts';
import { benchDatabaseUrl } from './target.ts';

// `npx tsx src/server/bench/profile.ts [--ops 100]`: where the time of each benchmarked
// operation goes, on the generated PostgreSQL network. The real app runs in this process (one
// operation at a time, through app.inject) on a Kysely whose log times every statement; for
// each scenario it prints the wall time per operation, the statements per operation, the
// database time per operation, and the statements that cost the most (PROFILE_TOP of them,
// default 8). (Not part of npm test.)
process.on('uncaughtException', exitWithError);
const { values } = parseArgs({ options: { ops: { type: 'string' } } });
const OPS = Number(values.ops ?? 100);

interface Statement {
  count: number;
  ms: number;
}
const statements = new Map<string, Statement>();
let queries = 0;
let roundTrips = 0;
let lastCommitted = false;
let dbMs = 0;
const pool = new pg.Pool({ connectionString: benchDatabaseUrl(), max: 4, pipeline: true });
const db = new Kysely<Database>({
  // Prepared and begun like the server's statements (decisions 64 and 67).
  dialect: new PostgresDialect({ pool: serverPool(pool) }),
  log(event) {
    // A batch (db/pipeline.ts) is one round trip of several statements; BEGIN rides with the
    // statement after it (decisions 67 and 68).
    const sent = statementsOf(event.query);
    const texts = sent.map((q) => q.sql.replace(/\s+/g, ' '));
    const key =
      texts.length === 1
        ? (texts[0] ?? '').slice(0, 140)
        : `[${texts.length} in one write] ${texts.map((t) => t.slice(0, 60)).join(' + ')}`;
    const s = statements.get(key) ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += event.queryDurationMillis;
    statements.set(key, s);
    queries += sent.length;
    // BEGIN rides with the next statement; Kysely's COMMIT after a batch that carried one is
    // answered without a round trip.
    const unsent = /^begin$/i.test(texts[0] ?? '') || (/^commit$/i.test(texts[0] ?? '') && lastCommitted);
    if (!unsent) roundTrips++;
    lastCommitted = commitsItsTransaction(event.query);
    dbMs += event.queryDurationMillis;
  },
});
const app = await buildApp({ db, engine: 'postgresql' });
await app.ready();

const pools = await selectWork(db, OPS * 2, new Date());
const staff = await db.selectFrom('staff').select(['institution_id', 'username']).execute();
const tokens = new Map<string, string>();
const tokenFor = async (institutionId: string) => {
  const known = tokens.get(institutionId);
  if (known) return known;
  const username = staff.find((s) => s.institution_id === institutionId)?.username as string;
  const signIn = await app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username, password: BENCH_PASSWORD },
  });
  const cookie = signIn.cookies.find((c) => c.name === 'shelfshare_session');
  const created = await app.inject({
    method: 'POST',
    url: '/api/auth/tokens',
    headers: { cookie: `shelfshare_session=${cookie?.value}`, 'x-csrf-token': signIn.json().csrfToken },
    payload: { name: 'profile' },
  });
  const token = created.json().token as string;
  tokens.set(institutionId, token);
  return token;
};

async function walPosition() {
  const { rows } = await pool.query<{ lsn: string; at: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS lsn, pg_current_wal_insert_lsn()::text AS at`,
  );
  return { bytes: Number(rows[0]?.lsn), at: rows[0]?.at ?? '' };
}

async function profile(
  name: string,
  next: () => Promise<{
    method: 'GET' | 'POST';
    url: string;
    payload?: object;
    institutionId?: string;
  } | null>,
) {
  const calls = [];
  for (let k = 0; k < OPS; k++) {
    const call = await next();
    if (!call) break;
    if (call.institutionId) await tokenFor(call.institutionId);
    calls.push(call);
  }
  statements.clear();
  queries = 0;
  roundTrips = 0;
  dbMs = 0;
  // The WAL the operations wrote (nothing else writes to the generated network meanwhile): each
  // commit waits for its WAL to reach the disk, so bytes per operation are latency too.
  const walBefore = await walPosition();
  const started = performance.now();
  let failures = 0;
  for (const call of calls) {
    const res = await app.inject({
      method: call.method,
      url: call.url,
      ...(call.payload ? { payload: call.payload } : {}),
      headers: call.institutionId ? { authorization: `Bearer ${tokens.get(call.institutionId)}` } : {},
    });
    if (res.statusCode >= 300) {
      failures++;
      if (failures < 3)
        console.log(`  ${call.method} ${call.url} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
  }
  const wall = performance.now() - started;
  const walAfter = await walPosition();
  const walBytes = walAfter.bytes - walBefore.bytes;
  const n = Math.max(1, calls.length);
  console.log(
    `\n## ${name}: ${calls.length} operations, ${(wall / n).toFixed(2)} ms each, ${(queries / n).toFixed(1)} statements in ${(roundTrips / n).toFixed(1)} round trips ` +
      `and ${(dbMs / n).toFixed(2)} ms of database time each, ${Math.round(walBytes / n)} bytes of WAL each; failures ${failures}` +
      // What the WAL holds, page images by relation included: pg_waldump --stats=record -s … -e …
      ` (WAL ${walBefore.at} to ${walAfter.at})`,
  );
  const top = [...statements.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, Number(process.env.PROFILE_TOP ?? 8));
  for (const [sql, s] of top) {
    console.log(
      `  ${(s.ms / n).toFixed(2).padStart(7)} ms/op  ${(s.count / n).toFixed(1).padStart(4)}x  ${sql}`,
    );
  }
}

await profile('lend', async () => {
  const w = pools.lend.take();
  const patronId = w ? pools.patrons.take(w.institutionId) : null;
  return w && patronId
    ? {
        method: 'POST',
        url: '/api/circulation/loans',
        payload: { deskId: w.deskId, itemBarcode: w.barcode, patronId },
        institutionId: w.institutionId,
      }
    : null;
});
await profile('return', async () => {
  const w = pools.return.take();
  return w
    ? {
        method: 'POST',
        url: '/api/circulation/returns',
        payload: { deskId: w.deskId, itemBarcode: w.barcode },
        institutionId: w.institutionId,
      }
    : null;
});
await profile('scan in', async () => {
  const w = pools.scanIn.take();
  return w
    ? {
        method: 'POST',
        url: '/api/circulation/returns',
        payload: { deskId: w.deskId, itemBarcode: w.barcode },
        institutionId: w.institutionId,
      }
    : null;
});
await profile('request', async () => {
  const w = pools.request.take();
  const patronId = w ? pools.patrons.take(w.institutionId, w.borrowers) : null;
  return w && patronId
    ? {
        method: 'POST',
        url: '/api/circulation/requests',
        payload: { patronId, bibId: w.bibId, requestType: 'hold', pickupLibraryId: w.pickupLibraryId },
        institutionId: w.institutionId,
      }
    : null;
});
await profile('renew', async () => {
  const w = pools.renew.take();
  return w
    ? {
        method: 'POST',
        url: `/api/circulation/loans/${w.institutionId}/${w.loanId}/renew`,
        payload: {},
        institutionId: w.institutionId,
      }
    : null;
});
let k = 0;
await profile('patron loans (200)', async () => {
  const p = pools.heavyBorrowers[k++ % pools.heavyBorrowers.length];
  return p
    ? {
        method: 'GET',
        url: `/api/circulation/patrons/${p.institutionId}/${p.patronId}/loans`,
        institutionId: p.institutionId,
      }
    : null;
});
let s = 0;
await profile('search', async () => ({
  method: 'GET',
  url: `/api/search?q=${encodeURIComponent(pools.searchWords[s++ % pools.searchWords.length] as string)}`,
}));
await app.close();
await db.destroy();
