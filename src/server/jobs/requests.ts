import { expireUnneededRequests } from '../requests/commands.ts';
import { type JobContext, type JobResult, keysetBatches } from './context.ts';

/**
 * CIRC-7 / CIRC-10: request expiry. Waiting (not_started) requests whose `not_needed_after` day
 * has passed in the owner's time zone close as `expired` through the `expireUnneededRequests`
 * use case, a batch per short transaction in key order. Requests already picked, in transit or
 * on the hold shelf are left alone (the hold shelf expiry covers the shelf). Idempotent.
 */
export async function expireRequests(ctx: JobContext): Promise<JobResult> {
  const { db, now } = ctx;
  return keysetBatches(ctx, (after, limit) => expireUnneededRequests(db, { now, after, limit }));
}
