import { CODESETS, ODD_MAP } from 'marc8/lib/marc8_mapping.js';

/**
 * MARC-8 to Unicode, for records whose leader/09 is blank.
 *
 * The code tables come from the `marc8` package (Library of Congress's MARC-8 mappings, the
 * same tables pymarc and ruby-marc use, 15,000 EACC characters included). Its conversion loop is
 * not used: it throws on the space character inside non-Latin runs (Hebrew, Arabic, subscripts),
 * crashes on an escape sequence cut short, and drops ZWJ/ZWNJ. This loop, written against the
 * MARC 21 character set specification, keeps the state machine small:
 *
 * - G0 starts as ASCII and G1 as ANSEL; escape sequences change them (`ESC ( N`, `ESC ) Q`,
 *   `ESC $ 1` for the multibyte EACC set, `ESC s`/`ESC g`/`ESC b`/`ESC p`).
 * - ANSEL diacritics come before their base letter in MARC-8 and after it in Unicode, so they
 *   wait until the next base character.
 * - The space (0x20) is the same in every G0 set, including inside EACC runs.
 * - An escape sequence that is cut short or names an unknown set, and a byte or EACC triple
 *   with no character, throw `Marc8Error` with the byte offset: the record is reported as bad
 *   rather than loaded with wrong text.
 * - `&#xHHHH;` numeric character references (how MARC-8 carries characters it lacks) are
 *   expanded, and the result is NFC.
 */
export class Marc8Error extends Error {
  constructor(
    message: string,
    /** Offset of the offending byte within the converted bytes. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'Marc8Error';
  }
}

const ESC = 0x1b;
const SPACE = 0x20;
const BASIC_LATIN = 0x42; // 'B'
const ANSEL = 0x45; // 'E'
const EACC = 0x31; // '1', the only multibyte set
/** Technique 2: `ESC s|g|b|p` put ASCII, Greek symbols, subscripts or superscripts into G0. */
const SHORT_ESCAPES: Record<number, number> = { 115: BASIC_LATIN, 103: 0x67, 98: 0x62, 112: 0x70 };

const SET_NAMES: Record<number, string> = {
  49: 'CJK (EACC)',
  50: 'Hebrew',
  51: 'Basic Arabic',
  52: 'Extended Arabic',
  66: 'ASCII',
  69: 'ANSEL',
  78: 'Basic Cyrillic',
  81: 'Extended Cyrillic',
  83: 'Greek',
  98: 'Subscripts',
  103: 'Greek symbols',
  112: 'Superscripts',
};

const hex = (n: number, width = 2) => `0x${n.toString(16).toUpperCase().padStart(width, '0')}`;

function isPlainAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x20 || b >= 0x7f) return false;
  return true;
}

const expandReferences = (text: string) =>
  text.replace(/&#x([0-9a-f]{2,6});/gi, (ncr, code: string) => {
    const scalar = Number.parseInt(code, 16);
    return scalar <= 0x10ffff ? String.fromCodePoint(scalar) : ncr;
  });

/** Applies one escape sequence at `at`; returns its length and the new sets. */
function readEscape(bytes: Uint8Array, at: number, sets: { g0: number; g1: number }): number {
  const first = bytes[at + 1];
  if (first === undefined) throw new Marc8Error('escape sequence cut short at the end of the field', at);
  const short = SHORT_ESCAPES[first];
  if (short !== undefined) {
    sets.g0 = short;
    return 2;
  }
  let pos = at + 1;
  let target: 'g0' | 'g1' = 'g0';
  let multibyte = false;
  if (bytes[pos] === 0x24 /* $ */) {
    multibyte = true;
    pos++;
  }
  const designator = bytes[pos];
  if (designator === 0x28 /* ( */ || designator === 0x2c /* , */) pos++;
  else if (designator === 0x29 /* ) */ || designator === 0x2d /* - */) {
    target = 'g1';
    pos++;
  } else if (!multibyte) {
    throw new Marc8Error(`unknown escape sequence ESC ${hex(first)}`, at);
  }
  if (bytes[pos] === 0x21 /* ! */) pos++; // `ESC ) ! E`: the second intermediate of ANSEL's designation
  const final = bytes[pos];
  if (final === undefined) throw new Marc8Error('escape sequence cut short at the end of the field', at);
  if (!(final in CODESETS) || (multibyte && final !== EACC) || (!multibyte && final === EACC)) {
    throw new Marc8Error(`escape sequence names an unsupported character set (final byte ${hex(final)})`, at);
  }
  if (final === EACC && target === 'g1') throw new Marc8Error('EACC designated as G1 is not supported', at);
  sets[target] = final;
  return pos - at + 1;
}

function lookup(set: number, code: number): [number, number] | undefined {
  const table = CODESETS[set];
  if (!table) return undefined;
  // A set designated into the "other" half is read from its table with the high bit flipped.
  return table[code] ?? table[code ^ 0x80];
}

/** Converts the MARC-8 bytes of one field or subfield to NFC Unicode text. */
export function marc8ToUnicode(bytes: Uint8Array): string {
  if (isPlainAscii(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return text.includes('&#') ? expandReferences(text).normalize('NFC') : text;
  }
  const sets = { g0: BASIC_LATIN, g1: ANSEL };
  const out: string[] = [];
  let marks: string[] = [];
  const emit = (scalar: number, combining: boolean) => {
    const char = String.fromCodePoint(scalar);
    if (combining) {
      marks.push(char);
      return;
    }
    out.push(char);
    if (marks.length > 0) {
      out.push(...marks);
      marks = [];
    }
  };

  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b === ESC) {
      i += readEscape(bytes, i, sets);
      continue;
    }
    if (b === SPACE) {
      emit(SPACE, false);
      i++;
      continue;
    }
    if (b < SPACE || b === 0x7f) {
      // C0 controls other than ESC, and DEL, carry no text in field data.
      i++;
      continue;
    }
    if (sets.g0 === EACC && b < 0x80) {
      if (i + 2 >= bytes.length) {
        throw new Marc8Error('EACC character cut short (a multibyte character needs 3 bytes)', i);
      }
      const code = (b << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      const entry = lookup(EACC, code);
      const odd = ODD_MAP[code];
      if (entry) emit(entry[0], entry[1] === 1);
      else if (odd !== undefined) emit(odd, false);
      else throw new Marc8Error(`no character for EACC code ${hex(code, 6)}`, i);
      i += 3;
      continue;
    }
    const set = b < 0x80 ? sets.g0 : sets.g1;
    const entry = lookup(set, b);
    if (!entry)
      throw new Marc8Error(`no character for byte ${hex(b)} in the ${SET_NAMES[set] ?? hex(set)} set`, i);
    // ANSEL's non-sort markers (NSB/NSE) map to C1 controls: not text, so they are dropped.
    if (!(entry[0] >= 0x80 && entry[0] <= 0x9f)) emit(entry[0], entry[1] === 1);
    i++;
  }
  if (marks.length > 0) out.push(...marks);
  return expandReferences(out.join('')).normalize('NFC');
}
