import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { type BenchEngine, benchConnection } from './target.ts';

/**
 * The real server under test: `src/server/main.ts` in its own Node.js process (the same entry
 * as `npm start`, run by node with tsx's loader so that the process measured is the server
 * itself), on the bench database, with the demo seed off and its logger at `warn` (one log
 * line per request would measure the terminal). The job worker runs as it always does.
 */
export interface RunningServer {
  port: number;
  pid: number;
  /** The largest resident set size seen so far, in MB (sampled every 250 ms from /proc). */
  peakRssMb(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

export async function startServer(engine: BenchEngine): Promise<RunningServer> {
  const port = await freePort();
  const connection = benchConnection(engine);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SEED_DEMO: 'false',
    DATABASE_URL: connection.databaseUrl ?? '',
    DATA_DIR: connection.dataDir ?? '',
  };
  // BENCH_SERVER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=.tmp/profiles`: to profile the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', resolve('src/server/main.ts')],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const serverLog = process.env.BENCH_SERVER_LOG;
  if (serverLog) mkdirSync(dirname(resolve(serverLog)), { recursive: true });
  const keep = (chunk: Buffer) => {
    // BENCH_SERVER_LOG=<file>: all the server printed (with `--trace-gc` in BENCH_SERVER_NODE_ARGS, its collections).
    if (serverLog) appendFileSync(serverLog, chunk);
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  // A benchmark that fails (an exception, Ctrl-C's exit) must not leave its server running
  // against the bench database: it is stopped with this process.
  const stopWithThisProcess = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', stopWithThisProcess);
  child.on('exit', () => {
    exited = true;
    process.off('exit', stopWithThisProcess);
  });
  const pid = child.pid as number;
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 250);

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`the server exited while starting:\n${output.join('')}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer within 120 s:\n${output.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    pid,
    peakRssMb: () => Math.round(Math.max(peak, rssMb(pid))),
    async stop() {
      clearInterval(sampler);
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(timeout);
    },
  };
}
