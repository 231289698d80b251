import marc4js from 'marc4js';
import type { MarcField, MarcRecord } from './record.ts';

/** One record read from a file: the record, or why it could not be read, and where it is. */
export interface MarcReadResult {
  /** 1-based position of the record in the file. */
  position: number;
  /** Byte offset in the file where the record starts. */
  offset: number;
  /** Line where the record starts (MARCXML only). */
  line?: number;
  /** The record, when it could be read. */
  record?: MarcRecord;
  /** Why the record was not read (then `record` is absent). */
  error?: string;
  /** Read, but with something the operator should know. */
  warnings: string[];
}

/** Runs one record's bytes or text through a marc4js parser and returns its records. */
export function parseWithMarc4js(
  input: Buffer | string,
  options: marc4js.ParseOptions,
): Promise<marc4js.Record[]> {
  return new Promise((resolve, reject) => {
    const parser = marc4js.parse(options);
    const records: marc4js.Record[] = [];
    let failure: unknown;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (failure !== undefined) reject(failure);
      else resolve(records);
    };
    // marc4js pushes `undefined` after a record it could not parse: skip it.
    parser.on('data', (record: marc4js.Record | undefined) => {
      if (record) records.push(record);
    });
    parser.on('error', (error: unknown) => {
      failure ??= error;
    });
    parser.on('end', settle);
    parser.on('close', settle);
    parser.end(input);
  });
}

const SUBFIELD_CODE = /^[\x21-\x7e]$/;
const TAG = /^[0-9A-Za-z]{3}$/;

/**
 * Turns a marc4js record into ours, in `tagOrder` when given (marc4js keeps control and data
 * fields apart), and refuses what would make a broken record: no leader, a field without a
 * tag, a subfield without a code.
 */
export function fromMarc4js(parsed: marc4js.Record, leader: string, tagOrder?: string[]): MarcRecord {
  if (leader.length !== 24) throw new Error(`the leader has ${leader.length} characters instead of 24`);
  const convert = (f: marc4js.ControlField | marc4js.DataField): MarcField => {
    if (!f.tag || !TAG.test(f.tag)) throw new Error(`a field has no valid tag ('${f.tag ?? ''}')`);
    const tag = f.tag;
    if (!('subfields' in f) || !Array.isArray(f.subfields)) {
      return { tag, value: (f as marc4js.ControlField).data ?? '' };
    }
    return {
      tag,
      ind1: f.indicator1 || ' ',
      ind2: f.indicator2 || ' ',
      subfields: f.subfields.map((s) => {
        if (s.code === undefined || !SUBFIELD_CODE.test(s.code)) {
          throw new Error(`field ${tag} has a subfield without a valid code`);
        }
        return { code: s.code, value: s.data ?? '' };
      }),
    };
  };
  const control = parsed.controlFields.map(convert);
  const data = parsed.dataFields.map(convert);
  if (control.length + data.length === 0) throw new Error('the record has no fields');
  let fields: MarcField[];
  if (tagOrder && tagOrder.length === control.length + data.length) {
    let c = 0;
    let d = 0;
    fields = tagOrder.map((tag) => (/^00[0-9]$/.test(tag) ? control[c++] : data[d++]) as MarcField);
  } else {
    fields = [...control, ...data];
  }
  return { leader, fields };
}
