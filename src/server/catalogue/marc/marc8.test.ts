import { describe, expect, it } from 'vitest';
import { Marc8Error, marc8ToUnicode } from './marc8.ts';

/** Bytes from a mix of ASCII text and hex escapes: bytes('Caf', 0xe2, 'e'). */
const bytes = (...parts: (string | number)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...Buffer.from(p, 'latin1')])));
const ESC = 0x1b;

describe('MARC-8 to Unicode', () => {
  it('passes ASCII through unchanged', () => {
    expect(marc8ToUnicode(bytes('Programming Perl / Larry Wall.'))).toBe('Programming Perl / Larry Wall.');
  });

  it('moves ANSEL diacritics after their base letter and composes them (NFC)', () => {
    // MARC-8 writes the cedilla and tilde before the letter; Unicode after it.
    expect(marc8ToUnicode(bytes('Conversa', 0xf0, 'c', 0xe4, 'ao'))).toBe('Conversação');
    expect(marc8ToUnicode(bytes('exp', 0xe2, 'eriences et hypoth', 0xe1, 'eses'))).toBe(
      'expériences et hypothèses',
    );
    expect(marc8ToUnicode(bytes('M', 0xe8, 'unchen'))).toBe('München');
  });

  it('keeps two diacritics on one letter in order', () => {
    // ANSEL: acute (E2) then dot below (F2) before 'a' -> a + U+0323 + U+0301 in NFC.
    expect(marc8ToUnicode(bytes(0xe2, 0xf2, 'a'))).toBe('a\u0301\u0323'.normalize('NFC'));
  });

  it('reads ANSEL special characters', () => {
    expect(marc8ToUnicode(bytes(0xa5, 0xb0, 0xc3, 0xb5, 0xc1))).toBe('Æʻ©æℓ');
  });

  it('keeps a diacritic with no letter after it at the end', () => {
    expect(marc8ToUnicode(bytes('a', 0xe2))).toBe('a\u0301'.normalize('NFC'));
  });

  it('switches G0 with escape sequences and back to ASCII', () => {
    expect(marc8ToUnicode(bytes(ESC, '(N', 'Kniga', ESC, '(B', ' 1999'))).toBe('кНИГА 1999');
    expect(marc8ToUnicode(bytes(ESC, 's', 'x'))).toBe('x');
  });

  it('reads a space inside a Hebrew run (0x20 is the space in every G0 set)', () => {
    expect(marc8ToUnicode(bytes(ESC, '(2', 'y z', ESC, '(B'))).toBe('ש ת');
  });

  it('reads a set designated into G1 from the high half', () => {
    expect(marc8ToUnicode(bytes(ESC, ')2', 0xf9))).toBe('ש');
  });

  it('reads subscripts and superscripts (technique 2 escapes)', () => {
    expect(marc8ToUnicode(bytes('33', ESC, 'p1', ESC, '(B/', ESC, 'b3', ESC, 's rpm'))).toBe('33¹/₃ rpm');
  });

  it('reads EACC multibyte characters (three bytes each) and spaces between them', () => {
    expect(marc8ToUnicode(bytes(ESC, '$1', 0x21, 0x30, 0x34, 0x20, 0x21, 0x3d, 0x61, ESC, '(B.'))).toBe(
      '中 很.',
    );
  });

  it('expands numeric character references', () => {
    expect(marc8ToUnicode(bytes('a&#x200F;b &#x1F600;'))).toBe('a\u200Fb 😀');
  });

  it('drops C0 controls and DEL, which carry no text', () => {
    expect(marc8ToUnicode(bytes('a', 0x7f, 'b', 0x07, 'c'))).toBe('abc');
  });

  it('drops the non-sort markers (NSB/NSE)', () => {
    expect(marc8ToUnicode(bytes(0x88, 'The ', 0x89, 'title'))).toBe('The title');
  });

  describe('refuses what it cannot decode, with the byte offset', () => {
    const failure = (input: Uint8Array) => {
      try {
        marc8ToUnicode(input);
      } catch (error) {
        expect(error).toBeInstanceOf(Marc8Error);
        return { message: (error as Marc8Error).message, offset: (error as Marc8Error).offset };
      }
      throw new Error('expected a Marc8Error');
    };

    it('an escape sequence cut short at the end of the field', () => {
      expect(failure(bytes('ab', ESC, '('))).toEqual({
        message: expect.stringMatching(/cut short/),
        offset: 2,
      });
      expect(failure(bytes('ab', ESC))).toEqual({ message: expect.stringMatching(/cut short/), offset: 2 });
    });

    it('an escape to a character set MARC-8 does not have', () => {
      expect(failure(bytes(ESC, '$A', 'AU@')).message).toMatch(/unsupported character set/);
      expect(failure(bytes('x', ESC, 'Z')).offset).toBe(1);
    });

    it('an EACC character cut short', () => {
      expect(failure(bytes(ESC, '$1', 0x21, 0x30))).toEqual({
        message: expect.stringMatching(/cut short/),
        offset: 3,
      });
    });

    it('an EACC code with no character', () => {
      expect(failure(bytes(ESC, '$1', 0x62, 0x3c, 0x21)).message).toMatch(
        /no character for EACC code 0x623C21/,
      );
    });

    it('a byte with no character in the current set', () => {
      expect(failure(bytes(0xa0)).message).toMatch(/no character for byte 0xA0 in the ANSEL set/);
    });
  });
});
