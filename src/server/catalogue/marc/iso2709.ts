import { Marc8Error, marc8ToUnicode } from './marc8.ts';
import { fromMarc4js, type MarcReadResult, parseWithMarc4js } from './read-result.ts';
import { firstInvalidUtf8, hasHighBytes } from './utf8.ts';

/**
 * Binary MARC 21 (ISO 2709). The records are parsed by marc4js; this module frames them at the
 * record terminator (keeping each record's position and byte offset for the report), checks
 * the leader and directory before handing a record over, and picks the character decoding.
 *
 * Why the checks: marc4js reads fields one after another from the base address and trusts the
 * structure; a record whose base address or directory is wrong would be read as garbage or,
 * with a missing field terminator, loop forever. Checking them here turns each such record into
 * a reported problem (the leader and directory damage in pymarc's and marc4j's test files) while
 * the records around it load.
 */

const RECORD_TERMINATOR = 0x1d;
const FIELD_TERMINATOR = 0x1e;
const SUBFIELD_DELIMITER = 0x1f;
const ESC = 0x1b;
/** ISO 2709's five-digit record length. */
const MAX_RECORD_LENGTH = 99_999;

interface DirectoryEntry {
  tag: string;
  /** Absolute offset of the field in the record. */
  start: number;
  length: number;
  /** Stray bytes between a data field's indicators and its first subfield delimiter. */
  stray: number;
}

const isDigits = (bytes: Uint8Array) => bytes.every((b) => b >= 0x30 && b <= 0x39);
const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const isControlTag = (tag: string) => /^00[0-9]$/.test(tag);

class RecordError extends Error {}

/** Checks the leader and directory; returns the fields' places or throws why they are wrong. */
function readDirectory(bytes: Uint8Array): DirectoryEntry[] {
  const length = bytes.length;
  if (length < 26) throw new RecordError(`only ${length} bytes: too short for a record`);
  const lengthField = bytes.subarray(0, 5);
  if (!isDigits(lengthField)) {
    throw new RecordError(`the record length in the leader is not a number ('${ascii(lengthField)}')`);
  }
  const declared = Number(ascii(lengthField));
  if (length > MAX_RECORD_LENGTH) {
    throw new RecordError(
      `the record is ${length} bytes, over ISO 2709's maximum of ${MAX_RECORD_LENGTH} (its leader says ${declared})`,
    );
  }
  if (declared !== length) {
    throw new RecordError(`the leader says the record is ${declared} bytes, but it is ${length}`);
  }
  const baseField = bytes.subarray(12, 17);
  if (!isDigits(baseField)) {
    throw new RecordError(`the base address of data in the leader is not a number ('${ascii(baseField)}')`);
  }
  const base = Number(ascii(baseField));
  if (base < 25 || base >= length) {
    throw new RecordError(`the base address of data (${base}) is outside the record (${length} bytes)`);
  }
  if (bytes[base - 1] !== FIELD_TERMINATOR) {
    throw new RecordError(`the directory does not end at the base address of data (${base})`);
  }
  const directoryLength = base - 25;
  if (directoryLength % 12 !== 0) {
    throw new RecordError(`the directory is ${directoryLength} bytes, not a multiple of 12`);
  }
  if (directoryLength === 0) throw new RecordError('the record has no fields');
  const entries: DirectoryEntry[] = [];
  let expected = 0;
  for (let at = 24; at < base - 1; at += 12) {
    const entry = bytes.subarray(at, at + 12);
    const n = entries.length + 1;
    const tag = ascii(entry.subarray(0, 3));
    if (!/^[0-9A-Za-z]{3}$/.test(tag) || !isDigits(entry.subarray(3, 12))) {
      throw new RecordError(
        `directory entry ${n} is not valid ('${ascii(entry).replace(/[^\x20-\x7e]/g, '?')}')`,
      );
    }
    const fieldLength = Number(ascii(entry.subarray(3, 7)));
    const fieldOffset = Number(ascii(entry.subarray(7, 12)));
    if (fieldOffset !== expected) {
      throw new RecordError(
        `field ${tag} (directory entry ${n}) starts at ${fieldOffset}, but the previous field ends at ${expected}`,
      );
    }
    const start = base + fieldOffset;
    let stray = 0;
    const end = start + fieldLength; // exclusive; the record terminator follows the last field
    if (fieldLength < 1 || end > length - 1 || bytes[end - 1] !== FIELD_TERMINATOR) {
      throw new RecordError(
        `field ${tag} (directory entry ${n}): its length and offset do not match the data (no field terminator at its end)`,
      );
    }
    if (!isControlTag(tag)) {
      const [i1, i2, delimiter] = [bytes[start], bytes[start + 1], bytes[start + 2]];
      const isMark = (b: number | undefined) => b === SUBFIELD_DELIMITER || b === FIELD_TERMINATOR;
      if (fieldLength < 3 || isMark(i1) || isMark(i2)) {
        throw new RecordError(`field ${tag} has no indicators`);
      }
      if (fieldLength > 3 && delimiter !== SUBFIELD_DELIMITER) {
        const firstDelimiter = bytes.subarray(start + 2, end).indexOf(SUBFIELD_DELIMITER);
        if (firstDelimiter < 0) throw new RecordError(`field ${tag} has data but no subfield delimiter`);
        stray = firstDelimiter;
      }
    }
    entries.push({ tag, start, length: fieldLength, stray });
    expected = fieldOffset + fieldLength;
  }
  if (base + expected !== length - 1) {
    throw new RecordError(
      `the directory accounts for ${expected} bytes of data, but the record holds ${length - 1 - base}`,
    );
  }
  return entries;
}

/** Field tag of the byte at `at` (a record offset), for reports. */
function tagAt(entries: DirectoryEntry[], at: number): string {
  const entry = entries.find((e) => at >= e.start && at < e.start + e.length);
  return entry ? `field ${entry.tag}` : at < 24 ? 'the leader' : 'the directory';
}

/**
 * The bytes marc4js reads: the record without empty subfields (a delimiter followed by another
 * delimiter or the field terminator, as in some Sirsi exports) and without stray bytes between
 * the indicators and the first delimiter, because marc4js would lose its place on either.
 * marc4j and pymarc skip them too. marc4js finds fields by walking the data, not by the
 * directory's offsets, so removing bytes here is safe.
 */
function cleanForMarc4js(bytes: Uint8Array, base: number, entries: DirectoryEntry[]): Buffer {
  const out = Buffer.alloc(bytes.length);
  out.set(bytes.subarray(0, base));
  const skip = new Set<number>();
  for (const e of entries) for (let k = 0; k < e.stray; k++) skip.add(e.start + 2 + k);
  let n = base;
  for (let i = base; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (skip.has(i)) continue;
    const next = bytes[i + 1];
    if (b === SUBFIELD_DELIMITER && (next === SUBFIELD_DELIMITER || next === FIELD_TERMINATOR)) continue;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Reads one record's bytes (terminator included). Never throws: problems come back as `error`. */
export async function decodeIso2709(
  bytes: Uint8Array,
  position: number,
  offset: number,
): Promise<MarcReadResult> {
  const warnings: string[] = [];
  let entries: DirectoryEntry[];
  try {
    entries = readDirectory(bytes);
  } catch (error) {
    return { position, offset, error: (error as Error).message, warnings };
  }
  const scheme = String.fromCharCode(bytes[9] as number);
  let utf8: boolean;
  if (scheme === 'a') {
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      return {
        position,
        offset,
        error: `leader/09 says UTF-8, but the bytes at ${offset + bad} (${tagAt(entries, bad)}) are not UTF-8`,
        warnings,
      };
    }
    utf8 = true;
  } else if (scheme === ' ') {
    // A MARC-8 record with diacritics is never valid UTF-8 (ANSEL puts its marks, 0xE0-0xFE,
    // before plain ASCII letters), so a blank leader/09 over valid UTF-8 is a mislabelled record.
    utf8 = hasHighBytes(bytes) && !bytes.includes(ESC) && firstInvalidUtf8(bytes) === -1;
    if (utf8) warnings.push('leader/09 says MARC-8, but the bytes are UTF-8: read as UTF-8');
  } else {
    return {
      position,
      offset,
      error: `leader/09 is '${scheme}': expected blank (MARC-8) or 'a' (UTF-8)`,
      warnings,
    };
  }
  const indicators = Buffer.from(bytes.subarray(10, 12)).toString('latin1');
  if (indicators !== '22') warnings.push(`leader/10-11 are '${indicators}' instead of '22': read as 2 and 2`);

  const base = Number(Buffer.from(bytes.subarray(12, 17)).toString('latin1'));
  for (const e of entries) {
    if (e.stray > 0)
      warnings.push(`field ${e.tag} has ${e.stray} stray byte(s) before its first subfield: ignored`);
  }
  const input = cleanForMarc4js(bytes, base, entries);
  input[9] = utf8 ? 0x61 : 0x20;
  let marc8Failure: string | undefined;
  const marc8converter = (data: number[]) => {
    const field = Uint8Array.from(data);
    try {
      return marc8ToUnicode(field);
    } catch (error) {
      if (!(error instanceof Marc8Error)) throw error;
      const at = Buffer.from(bytes).indexOf(field, base);
      const where = at >= 0 ? ` at byte ${offset + at + error.offset} (${tagAt(entries, at)})` : '';
      marc8Failure = `MARC-8 cannot be converted${where}: ${error.message}`;
      throw error;
    }
  };
  try {
    const [parsed] = await parseWithMarc4js(input, { format: 'iso2709', marc8converter });
    if (!parsed) throw new Error('no record was read');
    const leader = `${Buffer.from(bytes.subarray(0, 9)).toString('latin1')}a22${Buffer.from(bytes.subarray(12, 24)).toString('latin1')}`;
    const record = fromMarc4js(
      parsed,
      leader,
      entries.map((e) => e.tag),
    );
    return { position, offset, record, warnings };
  } catch (error) {
    return { position, offset, error: marc8Failure ?? (error as Error).message, warnings };
  }
}

const isPadding = (b: number) => b === 0x0a || b === 0x0d || b === 0x20 || b === 0x00 || b === 0x1a;

/**
 * Frames a binary MARC stream into records and reads each. A file that ends inside a record
 * (no terminator) reports that fragment as its last, unreadable record.
 */
export async function* readIso2709(chunks: AsyncIterable<Buffer>): AsyncGenerator<MarcReadResult> {
  let pending: Buffer[] = [];
  let pendingOffset = 0; // file offset of the first pending byte
  let fileOffset = 0; // file offset of the current chunk
  let position = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(RECORD_TERMINATOR, start);
      if (end < 0) break;
      let bytes = Buffer.concat([...pending, chunk.subarray(start, end + 1)]);
      let offset = pending.length > 0 ? pendingOffset : fileOffset + start;
      pending = [];
      // Line breaks or padding between records are not part of the next record.
      let skip = 0;
      while (skip < bytes.length - 1 && isPadding(bytes[skip] as number)) skip++;
      bytes = bytes.subarray(skip);
      offset += skip;
      position++;
      yield await decodeIso2709(bytes, position, offset);
      start = end + 1;
    }
    if (start < chunk.length) {
      if (pending.length === 0) pendingOffset = fileOffset + start;
      pending.push(chunk.subarray(start));
    }
    fileOffset += chunk.length;
  }
  const rest = Buffer.concat(pending);
  let skip = 0;
  while (skip < rest.length && isPadding(rest[skip] as number)) skip++;
  if (skip < rest.length) {
    position++;
    yield {
      position,
      offset: pendingOffset + skip,
      error: `the file ends inside this record: ${rest.length - skip} bytes with no record terminator (truncated file)`,
      warnings: [],
    };
  }
}
