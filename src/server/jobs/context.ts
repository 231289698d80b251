import type { Db } from '../db/database.ts';

/**
 * What a job runs with (CIRC-10). `now` is fixed for the whole run, so that a run is one
 * consistent pass (tests pass it to simulate days). Every job works in batches of at most
 * `batchSize` rows, each batch its own short transaction, and calls `afterBatch` once a batch
 * has committed: the runner extends its lease there and stops a job part-way when the worker
 * is stopping (the job is idempotent, so the next run picks up where this one stopped).
 */
export interface JobContext {
  db: Db;
  now: Date;
  batchSize?: number;
  afterBatch?: (progress: BatchProgress) => Promise<void> | void;
}

export interface BatchProgress {
  /** 1, 2, ... */
  batch: number;
  /** Rows looked at in this batch. */
  rows: number;
}

/** What a run did: the rows it looked at, and the rows it changed (0 on a repeated run). */
export interface JobResult {
  batches: number;
  processed: number;
  changed: number;
  [detail: string]: unknown;
}

export const DEFAULT_BATCH_SIZE = 500;

export const batchSizeOf = (ctx: JobContext) => ctx.batchSize ?? DEFAULT_BATCH_SIZE;

/** Keyset pagination over rows keyed by (institution_id, id), each page its own transaction. */
export interface Key {
  institutionId: string;
  id: string;
}

/**
 * Runs `page(after)` until it returns fewer rows than the batch size; each call is one batch
 * (one transaction, opened by `page`). Returns the number of batches and rows.
 */
export async function keysetBatches(
  ctx: JobContext,
  page: (after: Key | null, limit: number) => Promise<{ rows: number; last: Key | null; changed: number }>,
): Promise<JobResult> {
  const limit = batchSizeOf(ctx);
  let after: Key | null = null;
  const result: JobResult = { batches: 0, processed: 0, changed: 0 };
  for (;;) {
    const { rows, last, changed } = await page(after, limit);
    if (rows === 0) break;
    result.batches += 1;
    result.processed += rows;
    result.changed += changed;
    await ctx.afterBatch?.({ batch: result.batches, rows });
    if (rows < limit || !last) break;
    after = last;
  }
  return result;
}
