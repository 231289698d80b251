import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { type GenerateOptions, generateNetwork } from '../bench/generate.ts';
import { type BenchEngine, openBenchDatabase, recreateBenchDatabase } from '../bench/target.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { exitWithError } from '../shared/errors.ts';

// `npm run generate -- --institutions N --items M --patrons P --loans L [--seed S] [--engine pglite]`:
// drops and recreates the benchmark database (PostgreSQL `shelfshare_bench` on BENCH_POSTGRES_URL,
// default postgres://postgres@127.0.0.1:5432/postgres; or PGlite in .tmp/bench-pglite), migrates
// it and generates a deterministic synthetic network into it (src/server/bench/generate.ts).
const usage = `Usage: npm run generate -- --institutions N --items M --patrons P --loans L [--seed S]
       [--engine postgresql|pglite] [--heavy-borrowers H]
Drops and recreates the bench database (never DATABASE_URL or ./data), then generates the network.`;

process.on('uncaughtException', exitWithError);

function readGenerateArguments(argv = process.argv.slice(2)): GenerateOptions & { engine: BenchEngine } {
  const { values } = parseArgs({
    args: argv,
    options: {
      institutions: { type: 'string' },
      items: { type: 'string' },
      patrons: { type: 'string' },
      loans: { type: 'string' },
      seed: { type: 'string' },
      engine: { type: 'string' },
      'heavy-borrowers': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, fallback?: number) => {
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      console.error(`--${name} is required\n${usage}`);
      process.exit(1);
    }
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) {
      console.error(`--${name} must be a whole number, got ${v}`);
      process.exit(1);
    }
    return n;
  };
  const engine = (values.engine ?? 'postgresql') as BenchEngine;
  if (engine !== 'postgresql' && engine !== 'pglite') {
    console.error(`--engine must be postgresql or pglite\n${usage}`);
    process.exit(1);
  }
  return {
    engine,
    institutions: int('institutions', values.institutions),
    items: int('items', values.items),
    patrons: int('patrons', values.patrons),
    loans: int('loans', values.loans),
    seed: int('seed', values.seed, 1),
    ...(values['heavy-borrowers'] !== undefined
      ? { heavyBorrowers: int('heavy-borrowers', values['heavy-borrowers']) }
      : {}),
  };
}

const options = readGenerateArguments();
await recreateBenchDatabase(options.engine);
const database = await openBenchDatabase(options.engine, 2);
const bar = new cliProgress.SingleBar(
  { format: '{step} [{bar}] {value}/{total} ({duration}s)', hideCursor: true },
  cliProgress.Presets.shades_classic,
);
let currentStep = '';
let stepStarted = Date.now();
// Without a terminal (CI, a log file) the bar draws nothing: say when each step is done instead.
const tty = process.stdout.isTTY === true;
try {
  await migrateToLatest(database.db);
  const summary = await generateNetwork(database.db, {
    ...options,
    onProgress: ({ step, done, total }) => {
      if (step !== currentStep) {
        if (currentStep) bar.stop();
        currentStep = step;
        stepStarted = Date.now();
        bar.start(total, done, { step: step.padEnd(22) });
      } else bar.update(done, { step: step.padEnd(22) });
      if (!tty && done === total) console.log(`${step}: ${total} in ${(Date.now() - stepStarted) / 1000} s`);
    },
  });
  bar.stop();
  console.log(JSON.stringify({ engine: options.engine, ...summary }, null, 2));
} finally {
  bar.stop();
  await database.close();
}
