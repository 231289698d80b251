import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { readIso2709 } from './iso2709.ts';
import { readMarcxml } from './marcxml.ts';
import type { MarcReadResult } from './read-result.ts';

export type { MarcReadResult } from './read-result.ts';
export type MarcFormat = 'iso2709' | 'marcxml';

/** MARCXML starts with `<` (after a byte order mark and blanks); binary MARC with digits. */
export function detectFormat(head: Uint8Array): MarcFormat {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && [0x20, 0x09, 0x0a, 0x0d].includes(head[i] as number)) i++;
  return head[i] === 0x3c ? 'marcxml' : 'iso2709';
}

/**
 * Reads every record of a MARC 21 file, binary (ISO 2709, MARC-8 or UTF-8) or MARCXML, one at a
 * time. Records that cannot be read come back with `error`, in their place, and never stop
 * the ones after them. Binary files are streamed; MARCXML is read whole.
 */
export async function* readMarcFile(path: string): AsyncGenerator<MarcReadResult> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(64);
  try {
    await handle.read(head, 0, 64, 0);
  } finally {
    await handle.close();
  }
  if (detectFormat(head) === 'marcxml') {
    yield* readMarcxml(await readFile(path));
  } else {
    yield* readIso2709(createReadStream(path, { highWaterMark: 1 << 20 }));
  }
}
