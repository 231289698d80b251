import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The disk's own flush latency beside the steady load (docs/benchmarks.md, "The steady load's
 * tail"). Every desk operation ends in a COMMIT that waits for PostgreSQL's WAL to reach the
 * disk, so when the disk stops answering flushes for 100 ms every operation in flight waits
 * 100 ms, whatever the code does. The probe writes 8 KB over a small file of its own on the same
 * disk and flushes it (`fdatasync`, as PostgreSQL flushes its WAL), every 20 ms, in a thread of
 * its own so that the load generator's event loop is not held up; each sample is the instant it
 * began (ms since the epoch) and how long the write and flush took.
 *
 * The file lives in the project's `.tmp` (`BENCH_DISK_PROBE_FILE` to put it elsewhere, for
 * PostgreSQL's data on another disk); `BENCH_DISK_PROBE=off` leaves it out.
 */
export interface DiskProbe {
  /** Stops the probe; the samples as [began at, ms since the epoch; took, ms]. */
  stop(): Promise<[number, number][]>;
}

const PROBE_LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const fd = fs.openSync(workerData.file, 'w');
const block = Buffer.alloc(8192, 120);
const pause = new Int32Array(new SharedArrayBuffer(4));
const samples = [];
let stopped = false;
parentPort.on('message', () => { stopped = true; });
const clock = () => performance.timeOrigin + performance.now();
let k = 0;
function round() {
  // 20 rounds (400 ms) at a time, then a turn of the event loop to hear 'stop'.
  for (let i = 0; i < 20 && !stopped; i++) {
    const began = clock();
    fs.writeSync(fd, block, 0, block.length, (k++ % 128) * block.length);
    fs.fdatasyncSync(fd);
    samples.push([began, clock() - began]);
    Atomics.wait(pause, 0, 0, 20);
  }
  if (stopped) {
    fs.closeSync(fd);
    parentPort.postMessage(samples);
  } else setImmediate(round);
}
round();
`;

export function startDiskProbe(): DiskProbe | null {
  if (process.env.BENCH_DISK_PROBE === 'off') return null;
  const file = resolve(process.env.BENCH_DISK_PROBE_FILE ?? '.tmp/bench-disk-probe.dat');
  mkdirSync(dirname(file), { recursive: true });
  const worker = new Worker(PROBE_LOOP, { eval: true, workerData: { file } });
  const done = new Promise<[number, number][]>((resolvePromise, reject) => {
    worker.once('message', resolvePromise);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const samples = await done;
      await worker.terminate();
      rmSync(file, { force: true });
      return samples;
    },
  };
}

/** The longest flush that began in each second of a load that started at `startedAt` (ms since the epoch). */
export function longestFlushBySecond(samples: [number, number][], startedAt: number, seconds: number) {
  const longest: (number | null)[] = Array.from({ length: seconds }, () => null);
  for (const [began, took] of samples) {
    const second = Math.floor((began - startedAt) / 1000);
    if (second < 0 || second >= seconds) continue;
    longest[second] = Math.max(longest[second] ?? 0, Math.round(took * 10) / 10);
  }
  return longest;
}

/**
 * Reads the machine's disks have served so far (every whole block device in /sys/block but
 * loop, RAM, zram and device-mapper ones, which would count a read twice or are memory): how
 * many, and KB. Beside PostgreSQL's own count of blocks it asked the kernel for, it says how
 * many of those the kernel's page cache did not hold (docs/benchmarks.md, twelfth round).
 * Null where /sys/block cannot be read.
 */
export function diskReads(): { reads: number; kb: number } | null {
  try {
    let reads = 0;
    let sectors = 0;
    for (const device of readdirSync('/sys/block')) {
      if (/^(loop|ram|zram|dm-|md)/.test(device)) continue;
      // Fields: read I/Os, read merges, sectors read (512 bytes), ... (Documentation/block/stat.rst)
      const fields = readFileSync(`/sys/block/${device}/stat`, 'utf8').trim().split(/\s+/).map(Number);
      reads += fields[0] ?? 0;
      sectors += fields[2] ?? 0;
    }
    return { reads, kb: sectors / 2 };
  } catch {
    return null;
  }
}
