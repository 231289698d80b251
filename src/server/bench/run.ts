import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../db/migrate.ts';
import { ensureDailyJobs, runDueJobs } from '../jobs/runner.ts';
import { exitWithError } from '../shared/errors.ts';
import {
  ceilingLend,
  ceilingPatronLoans,
  ceilingRenew,
  ceilingRequest,
  ceilingReturn,
  ceilingScanIn,
  ceilingSearch,
  loadCeilingContext,
  openCeilingPool,
} from './ceiling.ts';
import { diskReads, longestFlushBySecond, startDiskProbe } from './disk-probe.ts';
import { BENCH_PASSWORD, type GenerateOptions, generateNetwork } from './generate.ts';
import {
  ApiClient,
  closedLoop,
  combineLoops,
  type LatencyStats,
  type LoopResult,
  latencyStats,
  type MeasuredLoop,
  type Meters,
  type NextOperation,
  type Operation,
  openLoop,
  postgresCpuMs,
  processCpuMs,
  type SecondOfLoad,
} from './load.ts';
import { selectWork, type WorkPools, type WorkQueue } from './pools.ts';
import { startServer } from './server.ts';
import {
  type BenchEngine,
  benchDatabaseExists,
  benchDatabaseUrl,
  openBenchDatabase,
  recreateBenchDatabase,
} from './target.ts';

// `npm run bench [-- --quick] [-- --engine pglite]`: the benchmark of issue 8 (docs/benchmarks.md).
// 1. the generated network (made now when there is none: `npm run generate` makes a chosen one);
// 2. the day's scheduled jobs are run first, so the server's worker has nothing left to do;
// 3. the ceiling: each desk operation as bare SQL transactions through pg (on PostgreSQL in slices
//    alternating with the same operation through the API, the server idle in the ceiling's; on
//    PGlite all first, server stopped);
// 4. the real server, driven over HTTP: saturation (closed loop, 32 clients) per desk operation,
//    reads with 4 clients, then a steady mixed load (open loop, 200 operations a second);
// 5. bench/results/latest.json and bench/results/<engine>.json.
const usage = `Usage: npm run bench -- [--quick] [--engine postgresql|pglite] [--clients 32] [--read-clients 4] [--duration S]
       [--rate 200] [--steady-duration S] [--slices 3] [--regenerate] [--only lend,return,...,steady]`;

process.on('uncaughtException', exitWithError);

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    engine: { type: 'string' },
    clients: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    'steady-duration': { type: 'string' },
    regenerate: { type: 'boolean' },
    only: { type: 'string' },
    'read-clients': { type: 'string' },
    slices: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const quick = values.quick ?? false;
const engine = (values.engine ?? 'postgresql') as BenchEngine;
if (engine !== 'postgresql' && engine !== 'pglite')
  throw new Error(`--engine must be postgresql or pglite\n${usage}`);
const clients = Number(values.clients ?? 32);
const durationMs = Number(values.duration ?? (quick ? 8 : 30)) * 1000;
const warmupMs = quick ? 1000 : 3000;
const ceilingMs = Math.min(durationMs, quick ? 5000 : 15_000);
const rate = Number(values.rate ?? 200);
const steadyMs = Number(values['steady-duration'] ?? (quick ? 15 : 60)) * 1000;
const readClients = Number(values['read-clients'] ?? 4);
/**
 * Each scenario's ceiling and API run in this many alternating slices on PostgreSQL (a full
 * run: 3 of 5 s and 3 of 10 s), summed; 1 is the order of the eighth to eleventh rounds, the
 * whole ceiling just before the whole API run. A quick run and PGlite use one.
 */
const slices = Math.max(1, Math.floor(Number(values.slices ?? (quick || engine === 'pglite' ? 1 : 3))));
/** The warm-up of each slice after a scenario's first: the clients refill, the server is warm. */
const sliceWarmupMs = 1000;
/** Mixed desk operations through the just-started server before the first scenario, not counted. */
const serverWarmupMs = quick ? 3000 : 10_000;
/** The scenarios that write: the server's warm-up runs when any of them is measured. */
const SATURATION_WRITES = ['lend', 'return', 'scan_in', 'request', 'renew'];
/** The steady load runs this long first, not counted, as the closed loops have their warm-up. */
const steadyWarmupMs = quick ? 3000 : 5000;
/** --only lend,search: run these scenarios alone (profiling); the steady load runs with `steady`. */
const only = values.only ? new Set(values.only.split(',')) : null;
const wanted = (name: string) => !only || only.has(name);
const SERVER_POOL = 10; // db/database.ts: the server's PostgreSQL pool

/** The network made when none is there: the issue's target scale, or a small one for --quick. */
const DEFAULT_NETWORK: Omit<GenerateOptions, 'onProgress'> = quick
  ? { institutions: 10, items: 100_000, patrons: 20_000, loans: 30_000 }
  : { institutions: 100, items: 1_000_000, patrons: 200_000, loans: 300_000 };

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function prepare() {
  if (values.regenerate || !(await benchDatabaseExists(engine))) {
    log(`generating ${JSON.stringify(DEFAULT_NETWORK)} on ${engine} (npm run generate makes another size)`);
    await recreateBenchDatabase(engine);
    const fresh = await openBenchDatabase(engine, 2);
    try {
      await migrateToLatest(fresh.db);
      await generateNetwork(fresh.db, DEFAULT_NETWORK);
    } finally {
      await fresh.close();
    }
  }
  const database = await openBenchDatabase(engine, 4);
  try {
    const db = database.db;
    await migrateToLatest(db);
    // CIRC-10: today's daily jobs, done before the run (a server that has been up all day).
    const started = Date.now();
    await ensureDailyJobs(db, new Date());
    const jobs = await runDueJobs(db, { workerId: 'bench' });
    log(`the day's scheduled jobs: ${jobs.length} run in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Earlier runs leave dead rows behind (every loan, return and renewal updates a row), and a
    // server with autovacuum off (as some test machines are) never clears them: vacuumed and
    // analysed before each run, every run starts from the same kind of table.
    const vacuumStarted = Date.now();
    await sql`VACUUM ANALYZE`.execute(db);
    log(`vacuumed and analysed in ${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s`);
    const network = await sql<Record<string, number>>`SELECT
        (SELECT count(*)::int FROM institutions) AS institutions, (SELECT count(*)::int FROM libraries) AS libraries,
        (SELECT count(*)::int FROM bib_records) AS bib_records, (SELECT count(*)::int FROM items) AS items,
        (SELECT count(*)::int FROM patrons) AS patrons,
        (SELECT count(*)::int FROM loans WHERE status = 'active') AS active_loans,
        (SELECT count(*)::int FROM requests WHERE closed_at IS NULL) AS active_requests`.execute(db);
    const version = await sql<{ v: string }>`SELECT version() AS v`.execute(db);
    const staff = await sql<{
      institution_id: string;
      username: string;
    }>`SELECT institution_id, username FROM staff
      WHERE username LIKE 'bench-desk-%'`.execute(db);
    const poolStarted = Date.now();
    // Half for the ceiling, half for the API: a fast lend uses 40,000 in a full run.
    const pools = await selectWork(db, quick ? 20_000 : 100_000, new Date());
    log(
      `work selected in ${((Date.now() - poolStarted) / 1000).toFixed(1)} s: lend ${pools.lend.rows.length}, ` +
        `return ${pools.return.rows.length}, renew ${pools.renew.rows.length}, scan in ${pools.scanIn.rows.length}, ` +
        `request ${pools.request.rows.length}, heavy borrowers ${pools.heavyBorrowers.length}`,
    );
    return { network: network.rows[0] ?? {}, version: version.rows[0]?.v ?? '', staff: staff.rows, pools };
  } finally {
    await database.close();
  }
}

/**
 * PostgreSQL's checkpoint before each measured phase, ceiling and API alike. After a checkpoint
 * the first change to each page writes the whole page to the WAL, and a checkpoint's own writes
 * compete with the run: one falling inside the ceiling's 5 s and not inside the API's 8 s (or
 * the other way round) moved a ratio by half (a quick run measured the bare-SQL lend at 370 a
 * second, a third of the rate minutes later). Each phase now starts just after one. PGlite's
 * data directory belongs to the server's process while the API runs: no checkpoint there.
 */
async function checkpoint() {
  if (engine !== 'postgresql') return;
  await onOwnConnection(async (client) => {
    try {
      await client.query('CHECKPOINT');
    } catch (error) {
      // A role without the right (superuser or pg_checkpoint) runs without: said once.
      if (!checkpointRefused) log(`no checkpoint before each phase: ${(error as Error).message}`);
      checkpointRefused = true;
    }
  });
}
let checkpointRefused = false;

/**
 * PostgreSQL's WAL counters (pg_stat_wal, the whole server: the bench is alone on it) and the
 * blocks the bench database read from outside its shared buffers (pg_stat_database), with the
 * machine's disk reads (diskReads) taken at the same moment.
 */
interface DatabaseCounters {
  records: number;
  full_page_images: number;
  bytes: number;
  blocks_read: number;
  disk: { reads: number; kb: number } | null;
}
async function databaseCounters(): Promise<DatabaseCounters | null> {
  if (engine !== 'postgresql') return null;
  const { rows } = await onOwnConnection((client) =>
    client.query<Omit<DatabaseCounters, 'disk'>>(
      `SELECT wal_records::float8 AS records, wal_fpi::float8 AS full_page_images, wal_bytes::float8 AS bytes,
        (SELECT blks_read::float8 FROM pg_stat_database WHERE datname = current_database()) AS blocks_read
       FROM pg_stat_wal`,
    ),
  );
  return rows[0] ? { ...rows[0], disk: diskReads() } : null;
}

/** Runs `work` on a PostgreSQL connection of its own to the bench database, closed after it. */
async function onOwnConnection<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: benchDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * CPU time per operation, which I/O stalls of a shared virtual machine do not move the way they
 * move a rate: the server process's, PostgreSQL's (every local `postgres` process; on PGlite the
 * database runs inside the server, or inside this process for the ceiling), and this process's
 * (the load generator, and the ceiling's driver).
 */
function cpuMeters(serverPid: number | null): Meters {
  const self = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  return {
    ...(serverPid !== null ? { server_cpu_ms: () => processCpuMs(serverPid) } : {}),
    ...(engine === 'postgresql' ? { database_cpu_ms: postgresCpuMs } : {}),
    bench_process_cpu_ms: self,
  };
}

/** Splits each queue in two halves: one for the ceiling, one for the API. */
function halves(pools: WorkPools) {
  const half = <T>(q: WorkQueue<T>) => q.split(Math.floor(q.remaining / 2));
  return {
    lend: half(pools.lend),
    return: half(pools.return),
    renew: half(pools.renew),
    scanIn: half(pools.scanIn),
    request: half(pools.request),
  };
}

/** Next work row whose institution has a patron to lend or request for. */
function withPatron<T extends { institutionId: string; borrowers?: string[] }>(
  pools: WorkPools,
  queue: WorkQueue<T>,
) {
  return (): { work: T; patronId: string } | null => {
    for (;;) {
      const work = queue.take();
      if (!work) return null;
      const patronId = pools.patrons.take(work.institutionId, work.borrowers);
      if (patronId) return { work, patronId };
    }
  };
}

/** Each work row `take` gives, as an operation, until it gives none (the work is used up). */
function onEachRow<T>(take: () => T | null, operation: (work: T) => Operation): NextOperation {
  return () => {
    const work = take();
    return work ? operation(work) : null;
  };
}

/** The reads run with a few clients (the issue's 1–4), the desk's writes with the saturation's. */
const clientsOf = (name: string) => (name === 'patron_loans' || name === 'search' ? readClients : clients);

function cycle<T, R>(rows: T[], make: (row: T) => R): () => R | null {
  let k = 0;
  return () => (rows.length === 0 ? null : make(rows[k++ % rows.length] as T));
}

async function main() {
  const machine = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load_average_at_start: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
  const { network, version, staff, pools } = await prepare();
  const ceilingWork = halves(pools);
  const results: Record<string, Record<string, unknown>> = {};
  /** Each slice's rates, to see how far one slice of a scenario moved from another. */
  const sliceRates: Record<string, { ceiling_ops_per_s: number | null; ops_per_s: number | null }[]> = {};
  const logLoop = (name: string, field: string, r: LoopResult) => {
    const cpu = Object.entries(r.per_op ?? {})
      .map(([meter, ms]) => `${meter.replace(/_cpu_ms$/, '')} ${ms.toFixed(2)}`)
      .join(', ');
    log(
      `${name.padEnd(14)} ${field.padEnd(10)} ${r.ops_per_s.toFixed(1).padStart(8)} ops/s  p50 ${r.p50_ms} ms  ` +
        `p95 ${r.p95_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors}${r.exhausted ? '  (work used up)' : ''}` +
        (cpu ? `  CPU ms/op: ${cpu}` : ''),
    );
  };
  /** One measured window: PostgreSQL's checkpoint first (checkpoint()), then the loop. */
  const runSlice = async (name: string, field: string, run: () => Promise<MeasuredLoop>) => {
    await checkpoint();
    const r = await run();
    logLoop(name, field, r);
    return r;
  };
  const store = (name: string, field: 'api' | 'ceiling', slices: MeasuredLoop[]) => {
    const combined = combineLoops(slices);
    results[name] = { ...results[name], [field]: combined };
    if (slices.length > 1) logLoop(name, `${field} (all)`, combined);
  };
  const sliceLabel = (k: number) => (slices > 1 ? ` ${k + 1}/${slices}` : '');
  /** The window of slice k: the first has the full warm-up, later ones only refill the clients. */
  const sliceWindow = (totalMs: number, k: number) => ({
    warmupMs: k === 0 ? warmupMs : sliceWarmupMs,
    durationMs: totalMs / slices,
  });

  // --- The ceiling: each scenario's bare SQL. On PostgreSQL it alternates with the same
  // scenario through the API, in slices (ceiling, API, ceiling, API...), the server started and
  // idle during the ceiling's, so that both see the same minutes of the machine: its speed
  // drifts by a third within minutes (docs/benchmarks.md), and a slow patch falling on an API
  // run and not on its ceiling, measured just before, moved the lend ratio from 0.42 to 0.31
  // (the eleventh round). PGlite's data directory belongs to one process: there every
  // ceiling runs first, in one slice, with the server stopped.
  type Scenario = 'lend' | 'return' | 'scan_in' | 'request' | 'renew' | 'patron_loans' | 'search';
  const SCENARIOS: readonly Scenario[] = [
    'lend',
    'return',
    'scan_in',
    'request',
    'renew',
    'patron_loans',
    'search',
  ];
  const lendCeilingNext = withPatron(pools, ceilingWork.lend);
  const requestCeilingNext = withPatron(pools, ceilingWork.request);
  /** A pool of bare-SQL connections and, for each scenario, its slice of the ceiling. */
  const openCeiling = async () => {
    const ceiling = await openCeilingPool(engine, SERVER_POOL);
    const ctx = await loadCeilingContext(ceiling.pool);
    const operations: Record<Scenario, NextOperation> = {
      lend: onEachRow(lendCeilingNext, (w) => ceilingLend(ceiling.pool, ctx, w.work, w.patronId)),
      return: onEachRow(
        () => ceilingWork.return.take(),
        (w) => ceilingReturn(ceiling.pool, ctx, w),
      ),
      scan_in: onEachRow(
        () => ceilingWork.scanIn.take(),
        (w) => ceilingScanIn(ceiling.pool, ctx, w),
      ),
      request: onEachRow(requestCeilingNext, (w) => ceilingRequest(ceiling.pool, ctx, w.work, w.patronId)),
      renew: onEachRow(
        () => ceilingWork.renew.take(),
        (w) => ceilingRenew(ceiling.pool, ctx, w),
      ),
      patron_loans: cycle(pools.heavyBorrowers, (p) => ceilingPatronLoans(ceiling.pool, p)),
      search: cycle(pools.searchWords, (q) => ceilingSearch(ceiling.pool, q)),
    };
    return {
      slice: (name: Scenario, k: number) =>
        closedLoop({
          clients: clientsOf(name),
          next: operations[name],
          ...sliceWindow(ceilingMs, k),
          meters: cpuMeters(null),
        }),
      close: () => ceiling.close(),
    };
  };
  const interleaved = engine === 'postgresql';
  log(
    `ceiling: bare SQL through pg, ${clients} clients, ${ceilingMs / 1000} s each` +
      (interleaved
        ? `, in ${slices} slices alternating with the API's ${slices} of ${durationMs / 1000 / slices} s`
        : ', all before the server starts'),
  );
  if (!interleaved && SCENARIOS.some(wanted)) {
    const ceiling = await openCeiling();
    try {
      for (const name of SCENARIOS.filter(wanted)) {
        const parts: MeasuredLoop[] = [];
        for (let k = 0; k < slices; k++)
          parts.push(await runSlice(name, `ceiling${sliceLabel(k)}`, () => ceiling.slice(name, k)));
        store(name, 'ceiling', parts);
      }
    } finally {
      await ceiling.close();
    }
  }
  /** The scenario's ceiling and API in alternating slices (PostgreSQL), or its API alone (PGlite). */
  const measure = async (
    name: Scenario,
    api: (slice: { warmupMs: number; durationMs: number }) => Promise<MeasuredLoop>,
  ) => {
    if (!wanted(name)) return;
    const ceiling = interleaved ? await openCeiling() : null;
    try {
      const parts: { ceiling: MeasuredLoop[]; api: MeasuredLoop[] } = { ceiling: [], api: [] };
      for (let k = 0; k < slices; k++) {
        const label = sliceLabel(k);
        if (ceiling)
          parts.ceiling.push(await runSlice(name, `ceiling${label}`, () => ceiling.slice(name, k)));
        parts.api.push(await runSlice(name, `api${label}`, () => api(sliceWindow(durationMs, k))));
      }
      if (ceiling) store(name, 'ceiling', parts.ceiling);
      store(name, 'api', parts.api);
      sliceRates[name] = parts.api.map((a, k) => ({
        ceiling_ops_per_s: parts.ceiling[k]?.ops_per_s ?? null,
        ops_per_s: a.ops_per_s,
      }));
    } finally {
      await ceiling?.close();
    }
  };

  // --- The real server over HTTP.
  log('starting the server');
  const server = await startServer(engine);
  const api = new ApiClient(server.port, Math.max(clients, 64));
  let steady: Record<string, LoopResult> = {};
  let steadyTimeline: SecondOfLoad[] = [];
  let steadyCpu: Record<string, number> | null = null;
  let steadyWal: Pick<DatabaseCounters, 'records' | 'full_page_images' | 'bytes'> | null = null;
  let steadyReads: {
    postgres_blocks_read: number;
    disk_reads: number | null;
    disk_kb: number | null;
  } | null = null;
  let diskFlush: (LatencyStats & { over_50_ms: number }) | null = null;
  try {
    // One desk operator per institution, each with an API token (scripts' way in, api.md).
    const tokens = new Map<string, string>();
    for (const s of staff) {
      const signIn = await api.request('POST', '/api/auth/sign-in', {
        body: { username: s.username, password: BENCH_PASSWORD },
      });
      if (signIn.status !== 200) throw new Error(`sign-in of ${s.username}: ${signIn.status} ${signIn.body}`);
      const setCookie = signIn.headers['set-cookie'];
      const cookie = String((Array.isArray(setCookie) ? setCookie[0] : setCookie) ?? '').split(';')[0];
      const created = await api.request('POST', '/api/auth/tokens', {
        body: { name: 'bench' },
        cookie,
        csrf: JSON.parse(signIn.body).csrfToken,
      });
      if (created.status !== 201)
        throw new Error(`token of ${s.username}: ${created.status} ${created.body}`);
      tokens.set(s.institution_id, JSON.parse(created.body).token);
    }
    log(`signed in ${tokens.size} desk operators; API: ${clients} clients, ${durationMs / 1000} s each`);
    const token = (institutionId: string) => tokens.get(institutionId) as string;

    const lendOp = (queue: typeof pools.lend) =>
      onEachRow(withPatron(pools, queue), (w) =>
        api.operation('POST', '/api/circulation/loans', 201, {
          token: token(w.work.institutionId),
          body: { deskId: w.work.deskId, itemBarcode: w.work.barcode, patronId: w.patronId },
        }),
      );
    const returnOp = (queue: WorkQueue<{ institutionId: string; deskId: string; barcode: string }>) =>
      onEachRow(
        () => queue.take(),
        (w) =>
          api.operation('POST', '/api/circulation/returns', 200, {
            token: token(w.institutionId),
            body: { deskId: w.deskId, itemBarcode: w.barcode },
          }),
      );
    const requestOp = (queue: typeof pools.request) =>
      onEachRow(withPatron(pools, queue), (w) =>
        api.operation('POST', '/api/circulation/requests', 201, {
          token: token(w.work.institutionId),
          body: {
            patronId: w.patronId,
            bibId: w.work.bibId,
            requestType: 'hold',
            pickupLibraryId: w.work.pickupLibraryId,
          },
        }),
      );
    const renewOp = onEachRow(
      () => pools.renew.take(),
      (w) =>
        api.operation('POST', `/api/circulation/loans/${w.institutionId}/${w.loanId}/renew`, 200, {
          token: token(w.institutionId),
          body: {},
        }),
    );
    const loop =
      (next: NextOperation, n = clients) =>
      (w: { warmupMs: number; durationMs: number }) =>
        closedLoop({ clients: n, ...w, next, meters: cpuMeters(server.pid) });
    // Keep enough work for the steady load after the saturation runs.
    const steadyShare = Math.ceil((rate / 4) * ((steadyMs + steadyWarmupMs) / 1000) * 1.1);
    const reserve = <T>(q: WorkQueue<T>) => q.split(Math.min(steadyShare, Math.floor(q.remaining / 3)));
    const steadyWork = {
      lend: reserve(pools.lend),
      return: reserve(pools.return),
      scanIn: reserve(pools.scanIn),
      request: reserve(pools.request),
    };
    // The server's own warm-up, not counted: a server up all day has compiled its hot paths and
    // sized its heap, where one just started spends more per operation in its first seconds (the
    // twelfth round: 1.0–1.35 ms of server CPU per loan in a quick run's first seconds, 0.61–0.76
    // in a full run's later slices). Mixed desk operations before the first scenario, from the
    // saturation work (the steady load's reserve is set aside above).
    if (SATURATION_WRITES.some(wanted)) {
      const kinds = [
        lendOp(pools.lend),
        returnOp(pools.return),
        returnOp(pools.scanIn),
        requestOp(pools.request),
      ];
      let turn = 0;
      const warmed = await closedLoop({
        clients,
        warmupMs: 0,
        durationMs: serverWarmupMs,
        next: () => {
          // In turn; a kind whose work has run out passes to the next.
          for (let tried = 0; tried < kinds.length; tried++) {
            const op = (kinds[turn++ % kinds.length] as NextOperation)();
            if (op) return op;
          }
          return null;
        },
      });
      log(
        `server warm-up: ${warmed.count} mixed desk operations in ${serverWarmupMs / 1000} s, not counted (p50 ${warmed.p50_ms} ms)`,
      );
    }
    await measure('lend', loop(lendOp(pools.lend)));
    await measure('return', loop(returnOp(pools.return)));
    await measure('scan_in', loop(returnOp(pools.scanIn)));
    await measure('request', loop(requestOp(pools.request)));
    await measure('renew', loop(renewOp));
    await measure(
      'patron_loans',
      loop(
        cycle(pools.heavyBorrowers, (p) =>
          api.operation('GET', `/api/circulation/patrons/${p.institutionId}/${p.patronId}/loans`, 200, {
            token: token(p.institutionId),
          }),
        ),
        readClients,
      ),
    );
    await measure(
      'search',
      loop(
        cycle(pools.searchWords, (q) => api.operation('GET', `/api/search?q=${encodeURIComponent(q)}`, 200)),
        readClients,
      ),
    );

    if (wanted('steady')) {
      await checkpoint();
      log(
        `steady load: ${rate} mixed desk operations a second for ${steadyMs / 1000} s, after ${steadyWarmupMs / 1000} s not counted`,
      );
      const kinds: Parameters<typeof openLoop>[0]['kinds'] = [
        { name: 'lend', next: lendOp(steadyWork.lend) },
        { name: 'return', next: returnOp(steadyWork.return) },
        { name: 'scan_in', next: returnOp(steadyWork.scanIn) },
        { name: 'request', next: requestOp(steadyWork.request) },
      ];
      // A warm-up at the same rate, not counted: a server just started (`--only steady`) spends
      // its first seconds opening connections and preparing statements (docs/benchmarks.md).
      await openLoop({ ratePerSecond: rate, durationMs: steadyWarmupMs, kinds });
      const countersAtStart = await databaseCounters();
      const probe = startDiskProbe();
      let measured: Awaited<ReturnType<typeof openLoop>>;
      try {
        // CPU per operation over the measured minute, as for the closed loops: at a fixed rate
        // each operation arrives alone, and what it costs says whether a slower minute was the
        // machine or more work (docs/benchmarks.md).
        measured = await openLoop({
          ratePerSecond: rate,
          durationMs: steadyMs,
          kinds,
          meters: cpuMeters(server.pid),
        });
      } catch (error) {
        await probe?.stop(); // its thread would keep this process from ending
        throw error;
      }
      steadyCpu = measured.per_op ?? null;
      // The WAL each operation wrote: at a fixed rate every commit waits for its own flush,
      // and the steady tail follows how long those flushes take (docs/benchmarks.md).
      const countersAtEnd = await databaseCounters();
      const succeeded = Object.values(measured.operations).reduce((n, r) => n + r.count, 0);
      if (countersAtStart && countersAtEnd && succeeded > 0) {
        const per = (grown: number) => Math.round((grown / succeeded) * 100) / 100;
        const grew = (k: 'records' | 'full_page_images' | 'bytes' | 'blocks_read') =>
          per(countersAtEnd[k] - countersAtStart[k]);
        steadyWal = {
          records: grew('records'),
          full_page_images: grew('full_page_images'),
          bytes: grew('bytes'),
        };
        // What each operation read: blocks PostgreSQL asked the kernel for, and how many reads
        // reached the disk, where the page cache no longer held them (docs/benchmarks.md).
        const diskAtStart = countersAtStart.disk;
        const diskAtEnd = countersAtEnd.disk;
        steadyReads = {
          postgres_blocks_read: grew('blocks_read'),
          disk_reads: diskAtStart && diskAtEnd ? per(diskAtEnd.reads - diskAtStart.reads) : null,
          disk_kb: diskAtStart && diskAtEnd ? per(diskAtEnd.kb - diskAtStart.kb) : null,
        };
        log(
          `steady WAL per operation: ${steadyWal.records} records, ${steadyWal.full_page_images} page images, ${Math.round(steadyWal.bytes)} bytes; ` +
            `reads per operation: ${steadyReads.postgres_blocks_read} blocks from outside shared buffers, ${steadyReads.disk_reads ?? '–'} from the disk (${steadyReads.disk_kb ?? '–'} KB)`,
        );
      }
      log(
        `steady CPU ms per operation: ${Object.entries(steadyCpu ?? {})
          .map(([name, v]) => `${name.replace(/_cpu_ms$/, '')} ${v}`)
          .join(', ')}`,
      );
      steady = measured.operations;
      steadyTimeline = measured.timeline;
      if (probe) {
        const flushes = await probe.stop();
        const longest = longestFlushBySecond(flushes, measured.startedAt, steadyTimeline.length);
        steadyTimeline = steadyTimeline.map((t, second) => ({ ...t, disk_flush_max_ms: longest[second] }));
        const stats = latencyStats(flushes.map(([, took]) => took));
        diskFlush = { ...stats, over_50_ms: flushes.filter(([, took]) => took > 50).length };
        log(
          `disk probe (8 KB write + fdatasync every 20 ms): p50 ${stats.p50_ms} ms  p99 ${stats.p99_ms} ms  max ${stats.max_ms} ms, ${diskFlush.over_50_ms} of ${stats.count} over 50 ms`,
        );
      }
      for (const [name, r] of Object.entries(steady)) {
        log(
          `steady ${name.padEnd(8)} ${r.ops_per_s} ops/s  p50 ${r.p50_ms} ms  p95 ${r.p95_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors}${r.exhausted ? '  (work used up: the rest of the minute ran lighter)' : ''}`,
        );
      }
      log(
        `steady, second by second (p95 / max / load generator's stall / longest disk flush, ms): ${steadyTimeline.map((t) => `${Math.round(t.p95_ms)}/${Math.round(t.max_ms)}/${t.generator_stall_ms}/${t.disk_flush_max_ms === undefined || t.disk_flush_max_ms === null ? '-' : Math.round(t.disk_flush_max_ms)}`).join(' ')}`,
      );
    }
    if (api.failures.length)
      log(`unexpected answers (first ${api.failures.length}):\n  ${api.failures.join('\n  ')}`);
  } finally {
    await api.close();
    await server.stop();
  }
  const peakRssMb = server.peakRssMb();
  log(`server peak RSS ${peakRssMb} MB`);

  // --- Results.
  const scenarios: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(results)) {
    const a = r.api as LoopResult | undefined;
    const c = r.ceiling as LoopResult | undefined;
    scenarios[name] = {
      ops_per_s: a?.ops_per_s ?? null,
      p50_ms: a?.p50_ms ?? null,
      p95_ms: a?.p95_ms ?? null,
      p99_ms: a?.p99_ms ?? null,
      ceiling_ops_per_s: c?.ops_per_s ?? null,
      ratio: a && c && c.ops_per_s > 0 ? Math.round((a.ops_per_s / c.ops_per_s) * 1000) / 1000 : null,
      clients: clientsOf(name),
      errors: a?.errors ?? null,
      ceiling_p50_ms: c?.p50_ms ?? null,
      ceiling_p95_ms: c?.p95_ms ?? null,
      ceiling_errors: c?.errors ?? null,
      measured_s: a?.seconds ?? null,
      // CPU milliseconds per operation in the measured window (cpuMeters).
      cpu_ms_per_op: a?.per_op ?? null,
      ceiling_cpu_ms_per_op: c?.per_op ?? null,
      work_used_up: Boolean(a?.exhausted),
      // Each slice's rate, ceiling and API, when the scenario ran in several (--slices).
      slices: sliceRates[name] && sliceRates[name].length > 1 ? sliceRates[name] : null,
    };
  }
  const s = (name: string) =>
    (scenarios[name] ?? { ratio: null, p95_ms: null }) as { ratio: number | null; p95_ms: number | null };
  // The steady targets count only a load that ran at its rate to the end: an operation whose
  // work ran out left the rest of the minute lighter (a network used by earlier runs).
  const allSteady = Object.values(steady);
  const steadyAtRate = allSteady.length > 0 && allSteady.every((r) => r.count > 0 && !r.exhausted);
  const output = {
    generated_at: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    engine,
    database: version,
    machine: { ...machine, load_average_at_end: os.loadavg().map((v) => Math.round(v * 100) / 100) },
    network,
    settings: {
      clients,
      read_clients: readClients,
      duration_s: durationMs / 1000,
      warmup_s: warmupMs / 1000,
      // Mixed desk operations through the just-started server before the first scenario.
      server_warmup_s: SATURATION_WRITES.some(wanted) ? serverWarmupMs / 1000 : 0,
      ceiling_duration_s: ceilingMs / 1000,
      ceiling_just_before_api: interleaved,
      // On PostgreSQL, the ceiling and the API alternate in this many slices (--slices).
      slices,
      slice_warmup_s: slices > 1 ? sliceWarmupMs / 1000 : null,
      server_pool: engine === 'postgresql' ? SERVER_POOL : 1,
      ceiling_pool: engine === 'postgresql' ? SERVER_POOL : 1,
      server_log_level: process.env.BENCH_LOG_LEVEL ?? 'warn',
      job_worker: 'on (the day’s jobs were run before the measurement, so its ticks find nothing due)',
      letter_delivery: 'off (SMTP_URL unset: letters stay in the outbox)',
    },
    scenarios,
    steady_load: {
      rate_per_s: rate,
      duration_s: steadyMs / 1000,
      warmup_s: steadyWarmupMs / 1000,
      operations: steady,
      // Every kind together, by the second each operation was due in: where a tail comes from.
      timeline: steadyTimeline,
      // The disk's own flushes meanwhile (bench/disk-probe.ts), null when the probe was off.
      disk_flush: diskFlush,
      // CPU per operation of the server, PostgreSQL and the load generator over the minute.
      cpu_ms_per_op: steadyCpu,
      // WAL per successful operation over the minute (pg_stat_wal), null on PGlite.
      wal_per_op: steadyWal,
      // Reads per successful operation over the minute: PostgreSQL's blocks from outside its
      // shared buffers (pg_stat_database) and the machine's disk reads (/sys/block); null on PGlite.
      reads_per_op: steadyReads,
    },
    server: { peak_rss_mb: peakRssMb },
    targets: {
      lend_ratio_at_least_0_35: (s('lend').ratio ?? 0) >= 0.35,
      steady_p95_under_25_ms: steadyAtRate && allSteady.every((r) => r.p95_ms < 25),
      steady_p99_under_50_ms: steadyAtRate && allSteady.every((r) => r.p99_ms < 50),
      patron_loans_p95_under_50_ms: (s('patron_loans').p95_ms ?? Infinity) < 50,
      search_p95_under_100_ms: (s('search').p95_ms ?? Infinity) < 100,
      server_memory_under_1_gb: peakRssMb < 1024,
    },
  };
  const dir = resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(output, null, 2)}\n`;
  // A partial run (--only) or one at another rate goes beside the full results, not over them.
  const partial = only !== null || values.rate !== undefined || values['read-clients'] !== undefined;
  const name = partial ? `${engine}-partial.json` : `${engine}${quick ? '-quick' : ''}.json`;
  if (!partial) writeFileSync(resolve(dir, 'latest.json'), json);
  writeFileSync(resolve(dir, name), json);
  console.log(
    `\n| scenario | ops/s | p50 ms | p95 ms | p99 ms | ceiling ops/s | ratio |\n|---|---|---|---|---|---|---|`,
  );
  for (const [name, r] of Object.entries(scenarios)) {
    console.log(
      `| ${name} | ${r.ops_per_s} | ${r.p50_ms} | ${r.p95_ms} | ${r.p99_ms} | ${r.ceiling_ops_per_s} | ${r.ratio} |`,
    );
  }
  console.log(`\ntargets: ${JSON.stringify(output.targets)}\nwritten: bench/results/${name}`);
}

await main();
