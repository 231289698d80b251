import http from 'node:http';

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
}

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
}): Promise<LoopResult> {
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
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
  const seconds = (exhausted ? lastCompletion - measureFrom : options.durationMs) / 1000;
  return {
    ...latencyStats(samples),
    ops_per_s: Math.round((samples.length / Math.max(seconds, 0.001)) * 10) / 10,
    errors,
    seconds: Math.round(seconds * 10) / 10,
    exhausted,
  };
}

/**
 * Open loop: operations of the given kinds, in turn, at `ratePerSecond` in total, for
 * `durationMs`. Latency counts from when each request was due, not from when it was sent.
 */
export async function openLoop(options: {
  ratePerSecond: number;
  durationMs: number;
  kinds: { name: string; next: NextOperation }[];
}): Promise<Record<string, LoopResult>> {
  const interval = 1000 / options.ratePerSecond;
  const total = Math.floor(options.durationMs / interval);
  const samples = new Map<string, number[]>(options.kinds.map((k) => [k.name, []]));
  const errors = new Map<string, number>(options.kinds.map((k) => [k.name, 0]));
  const exhausted = new Set<string>();
  const inFlight = new Set<Promise<void>>();
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
        if (ok) samples.get(kind.name)?.push(performance.now() - due);
        else errors.set(kind.name, (errors.get(kind.name) ?? 0) + 1);
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
  const seconds = options.durationMs / 1000;
  return Object.fromEntries(
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
}

/** A keep-alive HTTP client of the server under test, with a bearer token per call. */
export class ApiClient {
  private readonly agent: http.Agent;
  /** The first few unexpected answers, to say why a scenario had errors. */
  readonly failures: string[] = [];

  constructor(
    private readonly port: number,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; body?: unknown; cookie?: string; csrf?: string } = {},
  ): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              headers: res.headers,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** An operation: the call succeeded when it answered `expected`. */
  operation(
    method: 'GET' | 'POST',
    path: string,
    expected: number,
    options: { token?: string; body?: unknown } = {},
  ): Operation {
    return async () => {
      const res = await this.request(method, path, options);
      if (res.status === expected) return true;
      if (this.failures.length < 10)
        this.failures.push(`${method} ${path} -> ${res.status} ${res.body.slice(0, 300)}`);
      return false;
    };
  }

  close() {
    this.agent.destroy();
  }
}
