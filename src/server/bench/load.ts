import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';

/**
 * The load generator of the benchmark: closed loops (N clients, each sends its next request
 * when the previous one answered: saturation throughput) and an open loop (requests sent on a
 * fixed schedule whatever the answers: latency under a steady load, measured from the time each
 * request was due, so a slow server cannot hide its queue: no coordinated omission).
 *
 * An operation is a function that does one unit of work and resolves to true when it
 * succeeded; the same runners drive the HTTP API and the bare-SQL ceiling.
 */
export type Operation = () => Promise<boolean>;
/** The next operation to run, or null when the scenario's pool of work is used up. */
export type NextOperation = () => Operation | null;

export interface LatencyStats {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
}

export interface LoopResult extends LatencyStats {
  ops_per_s: number;
  errors: number;
  seconds: number;
  /** The pool of work ran out before the time did. */
  exhausted: boolean;
  /** Each meter's growth over the measured window, per successful operation (`meters` below). */
  per_op?: Record<string, number>;
}

/** A closed loop's result with every latency it counted, so that slices of it can be combined. */
export interface MeasuredLoop extends LoopResult {
  latencies: number[];
}

/**
 * Slices of one scenario as one result: operations and seconds summed, percentiles over every
 * latency, each meter's growth per operation weighted by the slice's operations (the same as
 * the total growth over the total operations). The bench alternates short slices of the
 * ceiling and the API so that both meet the same minutes of the machine (docs/benchmarks.md).
 */
export function combineLoops(slices: MeasuredLoop[]): LoopResult {
  const latencies = slices.flatMap((s) => s.latencies);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const counted = slices.filter((s) => s.per_op !== undefined && s.count > 0);
  const meterNames = [...new Set(counted.flatMap((s) => Object.keys(s.per_op ?? {})))];
  const operations = counted.reduce((n, s) => n + s.count, 0);
  const perOp =
    operations > 0 && meterNames.length > 0
      ? Object.fromEntries(
          meterNames.map((name) => [
            name,
            Math.round(
              (counted.reduce((n, s) => n + (s.per_op?.[name] ?? 0) * s.count, 0) / operations) * 1000,
            ) / 1000,
          ]),
        )
      : undefined;
  return {
    ...latencyStats(latencies),
    ops_per_s: Math.round((latencies.length / Math.max(seconds, 0.001)) * 10) / 10,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    seconds: Math.round(seconds * 10) / 10,
    exhausted: slices.some((s) => s.exhausted),
    ...(perOp ? { per_op: perOp } : {}),
  };
}

/** Counters read at the start and the end of the measured window (CPU milliseconds, say). */
export type Meters = Record<string, () => number>;

/** Nearest-rank percentiles of latencies in milliseconds. */
export function latencyStats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    count: sorted.length,
    p50_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    p99_ms: round(at(0.99)),
    max_ms: round(sorted[sorted.length - 1] ?? 0),
    mean_ms: round(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
  };
}

/**
 * Closed loop: `clients` concurrent workers for `warmupMs` (not counted) then `durationMs`.
 * Throughput counts successful operations completed in the measured window.
 */
export async function closedLoop(options: {
  clients: number;
  warmupMs: number;
  durationMs: number;
  next: NextOperation;
  meters?: Meters;
}): Promise<MeasuredLoop> {
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const meters = Object.entries(options.meters ?? {});
  const read = () => meters.map(([, meter]) => meter());
  let atStart: number[] = [];
  let atEnd: number[] | null = null;
  const startTimer = setTimeout(() => {
    atStart = read();
  }, options.warmupMs);
  const endTimer = setTimeout(() => {
    atEnd = read();
  }, options.warmupMs + options.durationMs);
  const samples: number[] = [];
  let errors = 0;
  let exhausted = false;
  let lastCompletion = measureFrom;
  const worker = async () => {
    for (;;) {
      if (performance.now() >= end) return;
      const op = options.next();
      if (!op) {
        exhausted = true;
        return;
      }
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await op();
      } catch {
        ok = false;
      }
      const t1 = performance.now();
      // Counted when it completes inside the measured window (an operation begun during the
      // warm-up counts: throughput is completions per second).
      if (t1 >= measureFrom && t1 <= end) {
        if (ok) samples.push(t1 - t0);
        else errors++;
        lastCompletion = t1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, worker));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  // Work used up early: the window ends now (the meters then count the tail as well).
  const finalReading: number[] = atEnd ?? read();
  const seconds = (exhausted ? lastCompletion - measureFrom : options.durationMs) / 1000;
  const perOp = perOperation(meters, atStart, finalReading, samples.length);
  return {
    ...latencyStats(samples),
    ops_per_s: Math.round((samples.length / Math.max(seconds, 0.001)) * 10) / 10,
    errors,
    seconds: Math.round(seconds * 10) / 10,
    exhausted,
    ...(perOp ? { per_op: perOp } : {}),
    latencies: samples,
  };
}

/** Each meter's growth between two readings, per successful operation; undefined without either. */
function perOperation(
  meters: [string, () => number][],
  atStart: number[],
  atEnd: number[],
  operations: number,
): Record<string, number> | undefined {
  if (meters.length === 0 || atStart.length === 0 || operations === 0) return undefined;
  return Object.fromEntries(
    meters.map(([name], k) => [
      name,
      Math.round((((atEnd[k] ?? 0) - (atStart[k] ?? 0)) / operations) * 1000) / 1000,
    ]),
  );
}

/** CPU milliseconds a process has used (user + system), from /proc; 0 when unreadable. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}
/** Linux's USER_HZ, the unit of /proc's CPU times (100 on every common build). */
const CLOCK_TICKS_PER_S = 100;

/**
 * CPU milliseconds used by the PostgreSQL processes of this machine (the local server's
 * backends), counting every process seen since the first call: a backend that exits (a pool
 * closing an idle connection) keeps its last reading, so the total never goes back.
 */
export function postgresCpuMs(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const used = processCpuMs(Number(entry));
    // A reused process id starts again from little: keep the larger reading.
    if (used > 0) postgresSeen.set(Number(entry), Math.max(used, postgresSeen.get(Number(entry)) ?? 0));
  }
  let total = 0;
  for (const used of postgresSeen.values()) total += used;
  return total;
}
const postgresSeen = new Map<number, number>();

/** One second of an open loop: the operations due in it and their latencies (every kind). */
export interface SecondOfLoad {
  count: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  /** The longest the load generator's own event loop was held up in that second. */
  generator_stall_ms: number | null;
  /** The longest flush of the disk probe that began in that second (bench/disk-probe.ts). */
  disk_flush_max_ms?: number | null;
}

/**
 * Open loop: operations of the given kinds, in turn, at `ratePerSecond` in total, for
 * `durationMs`. Latency counts from when each request was due, not from when it was sent.
 */
export async function openLoop(options: {
  ratePerSecond: number;
  durationMs: number;
  kinds: { name: string; next: NextOperation }[];
  meters?: Meters;
}): Promise<{
  operations: Record<string, LoopResult>;
  /** Each meter's growth over the load, per successful operation of every kind. */
  per_op?: Record<string, number>;
  timeline: SecondOfLoad[];
  /** When the first operation was due, ms since the epoch. */
  startedAt: number;
}> {
  const interval = 1000 / options.ratePerSecond;
  const total = Math.floor(options.durationMs / interval);
  const samples = new Map<string, number[]>(options.kinds.map((k) => [k.name, []]));
  const errors = new Map<string, number>(options.kinds.map((k) => [k.name, 0]));
  const exhausted = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  /** Every operation's latency by the second it was due in (all kinds): where a tail comes from. */
  const bySecond: number[][] = Array.from({ length: Math.ceil(options.durationMs / 1000) }, () => []);
  // The load generator's own stalls (its garbage collection, say) delay requests as surely as a
  // slow server does: each second records how long this process's event loop was held up.
  // The histogram records the whole time between its timer's turns, resolution included: an
  // idle process reads 10-11 ms, so the stall is what exceeds the 10 ms.
  const resolutionMs = 10;
  const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
  loopDelay.enable();
  const generatorStalls: number[] = [];
  const stallSampler = setInterval(() => {
    generatorStalls.push(Math.max(0, Math.round(loopDelay.max / 1e6 - resolutionMs)));
    loopDelay.reset();
  }, 1000);
  // BENCH_STEADY_SAMPLES=<file>: when the load started, and every operation as [ms after the
  // start it was due, kind, latency ms], to see when the slow ones fall (docs/benchmarks.md).
  const samplesFile = process.env.BENCH_STEADY_SAMPLES;
  const everyOperation: [number, string, number][] = [];
  const meters = Object.entries(options.meters ?? {});
  const atStart = meters.map(([, meter]) => meter());
  const start = performance.now();
  for (let k = 0; k < total; k++) {
    const due = start + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const kind = options.kinds[k % options.kinds.length] as (typeof options.kinds)[number];
    const op = kind.next();
    if (!op) {
      exhausted.add(kind.name);
      continue;
    }
    const p = op()
      .catch(() => false)
      .then((ok) => {
        const latency = performance.now() - due;
        if (samplesFile)
          everyOperation.push([Math.round(due - start), kind.name, Math.round(latency * 100) / 100]);
        bySecond[Math.floor((due - start) / 1000)]?.push(latency);
        if (ok) samples.get(kind.name)?.push(latency);
        else errors.set(kind.name, (errors.get(kind.name) ?? 0) + 1);
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  const atEnd = meters.map(([, meter]) => meter());
  if (samplesFile) {
    const startedAt = new Date(performance.timeOrigin + start).toISOString();
    mkdirSync(dirname(resolve(samplesFile)), { recursive: true });
    writeFileSync(samplesFile, JSON.stringify({ started_at: startedAt, operations: everyOperation }));
  }
  clearInterval(stallSampler);
  loopDelay.disable();
  const seconds = options.durationMs / 1000;
  const timeline = bySecond.map((latencies, second) => {
    const stats = latencyStats(latencies);
    return {
      count: stats.count,
      p50_ms: stats.p50_ms,
      p95_ms: stats.p95_ms,
      max_ms: stats.max_ms,
      generator_stall_ms: generatorStalls[second] ?? null,
    };
  });
  const operations = Object.fromEntries(
    options.kinds.map((k) => {
      const s = samples.get(k.name) ?? [];
      return [
        k.name,
        {
          ...latencyStats(s),
          ops_per_s: Math.round((s.length / seconds) * 10) / 10,
          errors: errors.get(k.name) ?? 0,
          seconds,
          exhausted: exhausted.has(k.name),
        },
      ];
    }),
  );
  const succeeded = Object.values(operations).reduce((n, r) => n + r.count, 0);
  const perOp = perOperation(meters, atStart, atEnd, succeeded);
  return {
    operations,
    ...(perOp ? { per_op: perOp } : {}),
    timeline,
    startedAt: performance.timeOrigin + start,
  };
}

/**
 * A keep-alive HTTP client of the server under test, with a bearer token per call. It is
 * undici's connection pool rather than `node:http`: the load generator shares the two cores with
 * the server and PostgreSQL, and `node:http` spent about 1 ms of CPU receiving one 150 KB answer
 * where undici spends 0.3 (decision 76). An operation reads its answer to the end (its latency
 * includes receiving it) but decodes it only when it is unexpected.
 */
export class ApiClient {
  private readonly pool: Pool;
  /** The first few unexpected answers, to say why a scenario had errors. */
  readonly failures: string[] = [];

  constructor(port: number, connections: number) {
    this.pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });
  }

  private send(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: unknown; cookie?: string; csrf?: string },
  ) {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    return this.pool.request({ method, path, headers, ...(body !== undefined ? { body } : {}) });
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: unknown; cookie?: string; csrf?: string } = {},
  ): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    const res = await this.send(method, path, options);
    return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
  }

  /** An operation: the call succeeded when it answered `expected`. */
  operation(
    method: 'GET' | 'POST',
    path: string,
    expected: number,
    options: { token?: string; body?: unknown } = {},
  ): Operation {
    return async () => {
      const res = await this.send(method, path, options);
      if (res.statusCode === expected) {
        for await (const _chunk of res.body) {
          // read to the end, unparsed: the answer is not looked at, only waited for
        }
        return true;
      }
      const text = await res.body.text();
      if (this.failures.length < 10)
        this.failures.push(`${method} ${path} -> ${res.statusCode} ${text.slice(0, 300)}`);
      return false;
    };
  }

  close() {
    return this.pool.close();
  }
}
