import { describe, expect, it } from 'vitest';
import { longestFlushBySecond, startDiskProbe } from './disk-probe.ts';

describe('the disk probe beside the steady load', () => {
  it('puts each flush in the second of the load it began in, keeping the longest', () => {
    const start = 1_000_000;
    const flushes: [number, number][] = [
      [start - 5, 90], // began before the load: not counted
      [start + 10, 0.4],
      [start + 980, 12.25],
      [start + 1000, 3],
      [start + 2500, 101.04],
      [start + 3000, 7], // after the load's three seconds
    ];
    expect(longestFlushBySecond(flushes, start, 3)).toEqual([12.3, 3, 101]);
  });

  it('leaves a second without a flush empty rather than zero', () => {
    expect(longestFlushBySecond([[2_000, 1]], 1_000, 3)).toEqual([null, 1, null]);
  });

  it('writes and flushes a file of its own, and gives every flush it timed', async () => {
    const probe = startDiskProbe();
    expect(probe).not.toBeNull();
    await new Promise((r) => setTimeout(r, 150));
    const flushes = (await probe?.stop()) ?? [];
    expect(flushes.length).toBeGreaterThan(1);
    for (const [began, took] of flushes) {
      expect(began).toBeGreaterThan(Date.now() - 60_000);
      expect(took).toBeGreaterThanOrEqual(0);
    }
  });
});
