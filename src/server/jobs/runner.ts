import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { JobContext, JobResult } from './context.ts';
import { expireHoldShelves, sendHoldShelfReminders } from './hold-shelf.ts';
import {
  accrueOverdueFines,
  anonymiseLoans,
  processLostItems,
  sendCourtesyNotices,
  sendOverdueNotices,
} from './loans.ts';
import { expireRequests } from './requests.ts';

/**
 * CIRC-10: the job runner (architecture.md). Jobs are rows of `jobs`, claimed with
 * `FOR UPDATE SKIP LOCKED` so that several workers (the server's loop, `npm run worker`
 * processes) never run one job twice at once; a claimed job holds a lease that the runner
 * extends after every batch, and a job whose worker died is claimed again once its lease has
 * passed. Failures are retried with backoff up to `max_attempts`, then the job is `failed`.
 * Every job is idempotent, so running one again (after a crash, a retry or a stop) is safe.
 */

export type JobHandler = (ctx: JobContext, payload: unknown) => Promise<JobResult>;

/**
 * The daily jobs, in the order a day's run does them: lost before the fine (a lost loan stops
 * accruing), the fine before the overdue notice, expiry before the reminders. Request expiry
 * (CIRC-7 / CIRC-10) closes waiting requests past their `not_needed_after` day.
 */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  lost_items: (ctx) => processLostItems(ctx),
  overdue_fines: (ctx) => accrueOverdueFines(ctx),
  overdue_notices: (ctx) => sendOverdueNotices(ctx),
  courtesy_notices: (ctx) => sendCourtesyNotices(ctx),
  request_expiry: (ctx) => expireRequests(ctx),
  hold_shelf_expiry: (ctx) => expireHoldShelves(ctx),
  hold_shelf_reminders: (ctx) => sendHoldShelfReminders(ctx),
  loan_anonymisation: (ctx) => anonymiseLoans(ctx),
};

export const DAILY_JOBS = Object.keys(JOB_HANDLERS);

/** How long a claimed job is its worker's before another may take it over (extended per batch). */
export const DEFAULT_LEASE_MS = 5 * 60_000;

export interface RunnerOptions {
  /** The clock (tests simulate days); the real one by default. */
  now?: () => Date;
  workerId?: string;
  leaseMs?: number;
  batchSize?: number;
  handlers?: Record<string, JobHandler>;
  /** Asked between batches; true stops the job part-way and hands it back as pending. */
  shouldStop?: () => boolean;
  /** Called after each committed batch of a job (tests use it to act part-way). */
  afterBatch?: (job: ClaimedJob, batch: number) => Promise<void> | void;
  log?: JobLog;
}

export interface JobLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  attempts: number;
  maxAttempts: number;
  payload: unknown;
}

export interface JobOutcome {
  id: string;
  kind: string;
  status: 'done' | 'pending' | 'failed' | 'stopped';
  result?: JobResult;
  error?: string;
}

const defaultWorkerId = () => `${hostname()}:${process.pid}`;

/** Adds a one-off job (or, with `scheduledDay`, a scheduled one: once per kind and day). Returns its id, or null when that day's job exists. */
export async function enqueueJob(
  db: Db,
  job: { kind: string; runAt?: Date; payload?: unknown; scheduledDay?: string; maxAttempts?: number },
): Promise<string | null> {
  const { rows } = await sql<{
    id: string;
  }>`INSERT INTO jobs (kind, run_at, scheduled_day, payload, max_attempts)
    VALUES (${job.kind}, ${job.runAt ?? new Date()}, ${job.scheduledDay ?? null}, ${JSON.stringify(job.payload ?? {})}::jsonb,
      ${job.maxAttempts ?? 5})
    ON CONFLICT (kind, scheduled_day) WHERE scheduled_day IS NOT NULL DO NOTHING
    RETURNING id`.execute(db);
  return rows[0]?.id ?? null;
}

/**
 * The daily schedule: each daily job exists once per UTC day, due at once (an idempotent
 * insert, so every worker may call it on every tick). Returns the jobs created now.
 */
export async function ensureDailyJobs(
  db: Db,
  now: Date,
  kinds: readonly string[] = DAILY_JOBS,
): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  let created = 0;
  for (const kind of kinds) {
    if (await enqueueJob(db, { kind, runAt: now, scheduledDay: day })) created++;
  }
  return created;
}

/**
 * Claims the next due job: pending and due, or running with an expired lease (its worker
 * died). `FOR UPDATE SKIP LOCKED`: two workers never claim the same row.
 */
export async function claimJob(
  db: Db,
  options: { now: Date; workerId: string; leaseMs: number; kinds?: readonly string[] },
): Promise<ClaimedJob | undefined> {
  const { now } = options;
  const kinds = options.kinds ? sql`AND kind = ANY(${[...options.kinds]}::text[])` : sql``;
  const { rows } = await sql<{
    id: string;
    kind: string;
    attempts: number;
    max_attempts: number;
    payload: unknown;
  }>`UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ${options.workerId},
      locked_until = ${new Date(now.getTime() + options.leaseMs)}, started_at = ${now}
    WHERE id = (
      SELECT id FROM jobs
      WHERE ((status = 'pending' AND run_at <= ${now}) OR (status = 'running' AND locked_until < ${now})) ${kinds}
      ORDER BY run_at, created_at LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, attempts, max_attempts, payload`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    payload: row.payload,
  };
}

class JobStopped extends Error {}

/** Retry backoff: 30 s, 1 min, 2 min, ... at most an hour. */
export const retryDelayMs = (attempts: number) =>
  Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);

/** Runs one claimed job to its end, and records done, a retry, failed, or (stopped) pending again. */
export async function runClaimedJob(
  db: Db,
  job: ClaimedJob,
  options: RunnerOptions = {},
): Promise<JobOutcome> {
  const clock = options.now ?? (() => new Date());
  const now = clock();
  const workerId = options.workerId ?? defaultWorkerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const handler = (options.handlers ?? JOB_HANDLERS)[job.kind];
  const mine = sql`id = ${job.id} AND locked_by = ${workerId}`;
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
    const result = await handler(
      {
        db,
        now,
        batchSize: options.batchSize,
        afterBatch: async ({ batch }) => {
          await sql`UPDATE jobs SET locked_until = ${new Date(clock().getTime() + leaseMs)} WHERE ${mine}`.execute(
            db,
          );
          await options.afterBatch?.(job, batch);
          if (options.shouldStop?.()) throw new JobStopped();
        },
      },
      job.payload,
    );
    await sql`UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, finished_at = ${clock()},
      result = ${JSON.stringify(result)}::jsonb, last_error = NULL WHERE ${mine}`.execute(db);
    options.log?.info({ job: job.kind, id: job.id, ...result }, 'job done');
    return { id: job.id, kind: job.kind, status: 'done', result };
  } catch (error) {
    if (error instanceof JobStopped) {
      // Stopped part-way by a stopping worker: handed back, not counted as an attempt.
      await sql`UPDATE jobs SET status = 'pending', attempts = greatest(attempts - 1, 0), locked_by = NULL,
        locked_until = NULL WHERE ${mine}`.execute(db);
      return { id: job.id, kind: job.kind, status: 'stopped' };
    }
    const message = error instanceof Error ? error.message : String(error);
    const final = job.attempts >= job.maxAttempts;
    const retryAt = new Date(clock().getTime() + retryDelayMs(job.attempts));
    await sql`UPDATE jobs SET status = ${final ? 'failed' : 'pending'}, locked_by = NULL, locked_until = NULL,
      last_error = ${message}, run_at = ${final ? sql`run_at` : sql`${retryAt}`},
      finished_at = ${final ? clock() : null} WHERE ${mine}`.execute(db);
    options.log?.error({ job: job.kind, id: job.id, attempts: job.attempts, err: message }, 'job failed');
    return { id: job.id, kind: job.kind, status: final ? 'failed' : 'pending', error: message };
  }
}

/** Claims and runs due jobs one after another until none is due (or the worker is stopping). */
export async function runDueJobs(db: Db, options: RunnerOptions = {}): Promise<JobOutcome[]> {
  const clock = options.now ?? (() => new Date());
  const workerId = options.workerId ?? defaultWorkerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const kinds = options.handlers ? Object.keys(options.handlers) : undefined;
  const outcomes: JobOutcome[] = [];
  while (!options.shouldStop?.()) {
    const job = await claimJob(db, { now: clock(), workerId, leaseMs, kinds });
    if (!job) break;
    outcomes.push(await runClaimedJob(db, job, { ...options, workerId, leaseMs }));
  }
  return outcomes;
}

export interface WorkerOptions extends Omit<RunnerOptions, 'shouldStop'> {
  /** Pause between ticks when nothing is due (default 60 s). */
  intervalMs?: number;
  /** Whether the tick ensures the daily schedule (default true). */
  schedule?: boolean;
}

/**
 * The worker loop: every tick ensures today's daily jobs, then runs every due job; it sleeps
 * `intervalMs` between ticks. Each job works in short batch transactions, so on PGlite (one
 * connection, the server runs this loop in-process) desk requests interleave between batches.
 * Returns `stop`: no new tick starts, a running job stops after its current batch (handed back
 * as pending), and the promise resolves once the loop is idle.
 */
export function startWorker(db: Db, options: WorkerOptions = {}): () => Promise<void> {
  const clock = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 60_000;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      if (options.schedule !== false) await ensureDailyJobs(db, clock());
      await runDueJobs(db, { ...options, shouldStop: () => stopping });
    } catch (error) {
      options.log?.error(
        { err: error instanceof Error ? error.message : String(error) },
        'worker tick failed',
      );
    } finally {
      if (!stopping) timer = setTimeout(run, intervalMs);
    }
  };
  const run = () => {
    current = tick();
  };
  timer = setTimeout(run, 0);
  return async () => {
    stopping = true;
    if (timer) clearTimeout(timer);
    await current;
  };
}
