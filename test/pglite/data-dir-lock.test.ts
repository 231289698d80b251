import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database.ts';

// Only the embedded engine has a data directory; this file runs in the pglite project only.
describe('the PGlite data directory', () => {
  it('refuses a second opening of the same directory with a clear error, and opens again after close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shelfshare-lock-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      await expect(openDatabase({ dataDir: dir })).rejects.toMatchObject({
        code: 'DATA_DIR_IN_USE',
        message: expect.stringContaining(`already open in process ${process.pid}`),
      });
      await first.close();
      const again = await openDatabase({ dataDir: dir });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a process that crashed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shelfshare-lock-'));
    try {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
      writeFileSync(join(dir, 'shelfshare.lock'), gone.stdout.toString());
      const opened = await openDatabase({ dataDir: dir });
      expect(readFileSync(join(dir, 'shelfshare.lock'), 'utf8')).toBe(String(process.pid));
      await opened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
