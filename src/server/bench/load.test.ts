import { describe, expect, it } from 'vitest';
import { combineLoops, latencyStats, type MeasuredLoop } from './load.ts';

/** A slice as closedLoop returns it, from its latencies, seconds and CPU per operation. */
function slice(
  latencies: number[],
  seconds: number,
  perOp: Record<string, number>,
  errors = 0,
): MeasuredLoop {
  return {
    ...latencyStats(latencies),
    ops_per_s: latencies.length / seconds,
    errors,
    seconds,
    exhausted: false,
    per_op: perOp,
    latencies,
  };
}

describe('the slices of a scenario, combined (issue 8: ceiling and API alternate in slices)', () => {
  it('sums operations and seconds, and takes percentiles over every latency', () => {
    // A fast slice (10 loans in 5 s) and a slow one (5 loans in 5 s, each slower).
    const fast = slice([10, 10, 10, 10, 10, 10, 10, 10, 10, 10], 5, { server_cpu_ms: 1 });
    const slow = slice([40, 40, 40, 40, 100], 5, { server_cpu_ms: 4 }, 2);
    const combined = combineLoops([fast, slow]);
    expect(combined.count).toBe(15);
    expect(combined.ops_per_s).toBe(1.5); // 15 loans in 10 s
    expect(combined.seconds).toBe(10);
    expect(combined.errors).toBe(2);
    expect(combined.p50_ms).toBe(10);
    expect(combined.max_ms).toBe(100);
    expect(combined.p95_ms).toBe(100);
    // CPU per operation weighted by each slice's operations: (10 × 1 + 5 × 4) / 15 = 2.
    expect(combined.per_op).toEqual({ server_cpu_ms: 2 });
    expect(combined).not.toHaveProperty('latencies');
  });

  it('weights the rate by time, not by slice: a short slice does not count as much as a long one', () => {
    const combined = combineLoops([slice([5, 5, 5, 5, 5, 5], 2, {}), slice([5, 5], 8, {})]);
    expect(combined.ops_per_s).toBe(0.8); // 8 operations in 10 s; the mean of 3 and 0.25 would be 1.6
  });

  it('says the work ran out when any slice ran out of it', () => {
    const done = { ...slice([3], 1, {}), exhausted: true };
    expect(combineLoops([slice([3], 1, {}), done]).exhausted).toBe(true);
    expect(combineLoops([slice([3], 1, {})]).exhausted).toBe(false);
  });
});
