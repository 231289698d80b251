/**
 * Standard numbers as they appear in MARC subfields, normalised so the same number written
 * differently compares equal: ISBNs as ISBN-13, ISSNs as NNNN-NNNC, OCLC numbers as digits
 * without leading zeros. Each returns undefined for a value that is not a valid number (a wrong
 * check digit, a price, nine digits), so a typo never joins two works.
 */

const isbn10CheckOk = (digits: string): boolean => {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = digits[i] as string;
    const value = c === 'X' ? (i === 9 ? 10 : Number.NaN) : Number(c);
    sum += value * (10 - i);
  }
  return sum % 11 === 0;
};

const isbn13CheckDigit = (first12: string): string => {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return String((10 - (sum % 10)) % 10);
};

const isbn13Ok = (digits: string): boolean =>
  /^97[89]\d{10}$/.test(digits) && isbn13CheckDigit(digits.slice(0, 12)) === digits[12];

/**
 * An 020 $a as ISBN-13, or undefined. Qualifiers and prices after the number are dropped
 * ("0679450041 (acid-free paper)", "0394534395 : $15.95"), hyphens and spaces inside it too.
 */
export function normaliseIsbn(raw: string): string | undefined {
  const head = raw
    .toUpperCase()
    .replace(/^\s*ISBN(?:-1[03])?[:\s]*/, '')
    .split(/[(:;$/,]/)[0] as string;
  const run = /^[0-9X]+/.exec(head.replace(/[\s-]/g, ''))?.[0] ?? '';
  // A price run into the number ("089542262X295") leaves the ISBN-10 at the front.
  const candidates = run.length === 10 ? [run] : [run.slice(0, 13), run.slice(0, 10)];
  for (const c of candidates) {
    if (c.length === 13 && isbn13Ok(c)) return c;
    if (c.length === 10 && /^\d{9}[\dX]$/.test(c) && isbn10CheckOk(c)) {
      const first12 = `978${c.slice(0, 9)}`;
      return first12 + isbn13CheckDigit(first12);
    }
  }
  return undefined;
}

/** An 022 $a or $l as NNNN-NNNC, or undefined when the check digit is wrong. */
export function normaliseIssn(raw: string): string | undefined {
  const m = /(\d{4})\s*-?\s*(\d{3}[\dX])/i.exec(raw);
  if (!m) return undefined;
  const digits = `${m[1]}${m[2]}`.toUpperCase();
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(digits[i]) * (8 - i);
  const check = (11 - (sum % 11)) % 11;
  const expected = check === 10 ? 'X' : String(check);
  return digits[7] === expected ? `${digits.slice(0, 4)}-${digits.slice(4)}` : undefined;
}

const OCLC_PATTERNS = [
  // (OCoLC)12345, (OCoLC)ocm00012345, (OCoLC)ocn123456789, (OCoLC)on1234567890
  /^\s*\(OCo?LC\)\s*(?:oc[mn]|on)?\s*(\d+)/i,
  // ocm00012345, ocn123456789, on1234567890 (OCLC's own prefixes, as in an 001)
  /^\s*(?:ocm|ocn|on)\s*(\d+)\s*$/i,
];

/** An OCLC number from an 035 $a (or an 001 with an OCLC prefix), digits only. */
export function normaliseOclc(raw: string): string | undefined {
  for (const pattern of OCLC_PATTERNS) {
    const digits = pattern.exec(raw)?.[1];
    if (digits) {
      const number = digits.replace(/^0+/, '');
      return number === '' ? undefined : number;
    }
  }
  return undefined;
}

/** The network's own identifier: an 035 $a `(SHELFSHARE)<id>` that a member's cataloguers add. */
export const NETWORK_ID_PREFIX = '(SHELFSHARE)';

export function networkIdentifier(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed.slice(0, NETWORK_ID_PREFIX.length).toUpperCase() !== NETWORK_ID_PREFIX) return undefined;
  const id = trimmed.slice(NETWORK_ID_PREFIX.length).trim();
  return id === '' ? undefined : id;
}
