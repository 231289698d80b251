import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.ts';

export interface DataDirLock {
  release(): void;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file in the PGlite data directory. A lock left by a process that
 * no longer runs (a crash) is taken over; a live owner, this process included, makes this
 * throw a clear error.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, 'shelfshare.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isFinite(owner) && processIsAlive(owner)) {
        throw new AppError(
          'DATA_DIR_IN_USE',
          `The database directory ${dataDir} is already open in process ${owner}. ` +
            'PGlite allows one process per directory: stop that process, or set DATABASE_URL to use PostgreSQL.',
          { dataDir, pid: owner },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new AppError('DATA_DIR_IN_USE', `Could not lock ${dataDir}`, { dataDir });
}
