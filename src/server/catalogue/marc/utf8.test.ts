import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, hasHighBytes } from './utf8.ts';

describe('firstInvalidUtf8', () => {
  it('is -1 for valid UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('Люди с чистой совестью 中国 😀'))).toBe(-1);
  });

  it('gives the offset of a lead byte without its continuation', () => {
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xc3, 0x28]))).toBe(2);
  });

  it('gives the offset of a stray continuation byte (Latin-1 or MARC-8 text)', () => {
    expect(firstInvalidUtf8(Buffer.from('caf\xe9', 'latin1'))).toBe(3);
  });

  it('refuses overlong forms and surrogates', () => {
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1);
  });
});

describe('hasHighBytes', () => {
  it('tells ASCII from anything else', () => {
    expect(hasHighBytes(Buffer.from('plain'))).toBe(false);
    expect(hasHighBytes(Buffer.from('é'))).toBe(true);
  });
});
