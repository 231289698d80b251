import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The markdown tables of docs/benchmarks.md from a results file:
 * `npx tsx src/server/bench/report.ts bench/results/postgresql.json`.
 */
interface Scenario {
  ops_per_s: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  ceiling_ops_per_s: number | null;
  ratio: number | null;
  clients: number;
  errors: number | null;
  work_used_up: boolean;
  /** Present in results since the fourth round (load.ts `cpuMeters`). */
  cpu_ms_per_op?: Record<string, number> | null;
  ceiling_cpu_ms_per_op?: Record<string, number> | null;
  /** Each slice's rates, from the twelfth round (run.ts --slices); null with one slice. */
  slices?: { ceiling_ops_per_s: number | null; ops_per_s: number | null }[] | null;
}
interface Steady {
  ops_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
}
interface Results {
  engine: string;
  mode: string;
  generated_at: string;
  database: string;
  machine: {
    cpus: number;
    cpu_model: string;
    load_average_at_start: number[];
    load_average_at_end: number[];
  };
  network: Record<string, number>;
  settings: { duration_s: number; ceiling_duration_s: number };
  scenarios: Record<string, Scenario>;
  steady_load: {
    rate_per_s: number;
    duration_s: number;
    operations: Record<string, Steady>;
    /** Absent from results of before the disk probe; null when it was off. */
    disk_flush?: { count: number; p50_ms: number; p99_ms: number; max_ms: number; over_50_ms: number } | null;
    /** Absent from results of before the tenth round. */
    cpu_ms_per_op?: Record<string, number> | null;
    /** Absent from results of before the eleventh round; null on PGlite. */
    wal_per_op?: { records: number; full_page_images: number; bytes: number } | null;
    /** Absent from results of before the twelfth round; null on PGlite. */
    reads_per_op?: { postgres_blocks_read: number; disk_reads: number | null; disk_kb: number | null } | null;
  };
  server: { peak_rss_mb: number };
  targets: Record<string, boolean>;
}

const show = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));

export function markdownReport(r: Results): string {
  const lines = [
    `${r.engine}, ${r.mode} run of ${r.generated_at.slice(0, 16).replace('T', ' ')} UTC; ${r.network.institutions} institutions, ` +
      `${r.network.items} items, ${r.network.patrons} patrons, ${r.network.active_loans} active loans; ` +
      `load average ${r.machine.load_average_at_start.join(' / ')} at the start, ${r.machine.load_average_at_end.join(' / ')} at the end.`,
    '',
    '| scenario | clients | ops/s | p50 ms | p95 ms | p99 ms | ceiling ops/s | ratio | CPU ms per op: server / database (ceiling: database) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const cpu = (meters: Record<string, number> | null | undefined, meter: string) => {
    const v = meters?.[meter];
    return v === undefined || v < 0 ? '–' : v.toFixed(2);
  };
  for (const [name, s] of Object.entries(r.scenarios)) {
    const note = s.work_used_up ? ' (work used up early)' : '';
    lines.push(
      `| ${name}${note} | ${s.clients} | ${show(s.ops_per_s)} | ${show(s.p50_ms)} | ${show(s.p95_ms)} | ${show(s.p99_ms)} | ` +
        `${show(s.ceiling_ops_per_s)} | ${show(s.ratio)} | ${cpu(s.cpu_ms_per_op, 'server_cpu_ms')} / ` +
        `${cpu(s.cpu_ms_per_op, 'database_cpu_ms')} (${cpu(s.ceiling_cpu_ms_per_op, 'database_cpu_ms')}) |`,
    );
  }
  // From the twelfth round each scenario's ceiling and API alternate in slices (run.ts --slices).
  const sliced = Object.entries(r.scenarios).filter(([, s]) => (s.slices?.length ?? 0) > 1);
  if (sliced.length > 0)
    lines.push(
      '',
      'Each slice, ceiling ops/s → API ops/s (ratio):',
      '',
      ...sliced.map(
        ([name, s]) =>
          `- ${name}: ${(s.slices ?? [])
            .map(
              (x) =>
                `${show(x.ceiling_ops_per_s)} → ${show(x.ops_per_s)}` +
                (x.ceiling_ops_per_s && x.ops_per_s !== null
                  ? ` (${(x.ops_per_s / x.ceiling_ops_per_s).toFixed(2)})`
                  : ''),
            )
            .join(', ')}`,
      ),
    );
  lines.push(
    '',
    `Steady load, open loop, ${r.steady_load.rate_per_s} operations a second for ${r.steady_load.duration_s} s ` +
      '(latency from the time each request was due):',
    '',
    '| operation | ops/s | p50 ms | p95 ms | p99 ms | max ms | errors |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [name, s] of Object.entries(r.steady_load.operations)) {
    lines.push(
      `| ${name} | ${s.ops_per_s} | ${s.p50_ms} | ${s.p95_ms} | ${s.p99_ms} | ${s.max_ms} | ${s.errors} |`,
    );
  }
  const flush = r.steady_load.disk_flush;
  if (flush)
    lines.push(
      '',
      `The disk meanwhile (an 8 KB write and fdatasync every 20 ms beside the load): p50 ${flush.p50_ms} ms, ` +
        `p99 ${flush.p99_ms} ms, max ${flush.max_ms} ms; ${flush.over_50_ms} of ${flush.count} flushes over 50 ms.`,
    );
  const steadyCpu = r.steady_load.cpu_ms_per_op;
  if (steadyCpu)
    lines.push(
      '',
      `CPU per operation over the minute: server ${cpu(steadyCpu, 'server_cpu_ms')} ms, PostgreSQL ` +
        `${cpu(steadyCpu, 'database_cpu_ms')} ms, load generator ${cpu(steadyCpu, 'bench_process_cpu_ms')} ms.`,
    );
  const wal = r.steady_load.wal_per_op;
  if (wal)
    lines.push(
      '',
      `WAL per operation over the minute: ${wal.records} records, ${wal.full_page_images} page images, ` +
        `${(wal.bytes / 1024).toFixed(1)} KB.`,
    );
  const reads = r.steady_load.reads_per_op;
  if (reads)
    lines.push(
      '',
      `Reads per operation over the minute: ${reads.postgres_blocks_read} blocks from outside PostgreSQL's shared buffers, ` +
        `${show(reads.disk_reads)} from the disk (${show(reads.disk_kb)} KB).`,
    );
  lines.push('', `Server peak resident memory: ${r.server.peak_rss_mb} MB.`);
  lines.push(
    '',
    `Targets: ${Object.entries(r.targets)
      .map(([k, v]) => `${k} ${v ? 'met' : 'NOT met'}`)
      .join('; ')}.`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const file of process.argv.slice(2)) {
    console.log(markdownReport(JSON.parse(readFileSync(file, 'utf8')) as Results));
    console.log();
  }
}
