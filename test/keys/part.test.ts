import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../src/errors/index.js';
import { decodePart, encodePart } from '../../src/keys/index.js';
import { scalarToText, textToScalar } from '../../src/keys/part.js';

describe('encodePart / decodePart', () => {
  it.each([
    ['', ''],
    ['user-42', 'user-42'],
    ['A.b_c~d-0', 'A.b_c~d-0'],
    ['a:b', 'a%3Ab'],
    ['*?[]\\{}%', '%2A%3F%5B%5D%5C%7B%7D%25'],
    ["!'()", '%21%27%28%29'],
    [' /+@#&=', '%20%2F%2B%40%23%26%3D'],
    ['é', '%C3%A9'],
    ['日本', '%E6%97%A5%E6%9C%AC'],
    ['🍕', '%F0%9F%8D%95'],
    ['\u0000\n', '%00%0A'],
  ])('encodes %j as %s and back', (text, part) => {
    expect(encodePart(text)).toBe(part);
    expect(decodePart(part)).toBe(text);
  });

  it('rejects strings with a lone surrogate', () => {
    for (const text of ['\uD800', 'a\uDC00b', '\uD83D']) {
      expect(() => encodePart(text)).toThrow(InvalidKeyError);
      expect(() => encodePart(text)).toThrow(/lone UTF-16 surrogate/);
    }
  });

  it.each([
    ['%41', 'an escaped safe character'],
    ['%3a', 'lowercase hex'],
    ['%c3%a9', 'lowercase hex (multi-byte)'],
    ['a:b', 'a bare ":"'],
    ['*', 'a bare "*"'],
    ['é', 'a bare non-ASCII character'],
    ['%', 'a lone "%"'],
    ['%3', 'a truncated escape'],
    ['%ZZ', 'a non-hex escape'],
    ['%C3', 'a truncated UTF-8 sequence'],
    ['%FF', 'an invalid UTF-8 byte'],
    ['%C0%80', 'overlong UTF-8'],
    ['%ED%A0%80', 'an encoded surrogate'],
    ['\uD800', 'a lone surrogate'],
  ])('decodePart(%j) is undefined: %s', (part) => {
    expect(decodePart(part)).toBeUndefined();
  });
});

describe('scalarToText / textToScalar', () => {
  it.each([
    [1.5, '1.5'],
    [-2, '-2'],
    [0, '0'],
    [-0, '0'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('number %s ⇄ %s', (n, text) => {
    expect(scalarToText('number', n)).toBe(text);
    expect(textToScalar('number', text)).toBe(n === 0 ? 0 : n);
  });

  it('rejects non-finite numbers', () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      expect(() => scalarToText('number', n)).toThrow(InvalidKeyError);
      expect(() => scalarToText('number', n)).toThrow(/finite/);
    }
  });

  it.each(['', ' 1', '1.0', '01', '+1', '-0', '1e21', '0x10', 'NaN', 'Infinity', '1.50', '.5'])(
    'textToScalar("number", %j) is undefined',
    (text) => {
      expect(textToScalar('number', text)).toBeUndefined();
    },
  );

  it('bigint is decimal and strict', () => {
    expect(scalarToText('bigint', 10n)).toBe('10');
    expect(scalarToText('bigint', -123456789012345678901234567890n)).toBe('-123456789012345678901234567890');
    expect(textToScalar('bigint', '-7')).toBe(-7n);
    expect(textToScalar('bigint', '0')).toBe(0n);
    for (const text of ['', '-0', '007', '1.0', '1n', '+1', ' 1', '0x1']) {
      expect(textToScalar('bigint', text)).toBeUndefined();
    }
  });

  it('boolean is true/false only', () => {
    expect(scalarToText('boolean', true)).toBe('true');
    expect(scalarToText('boolean', false)).toBe('false');
    expect(textToScalar('boolean', 'true')).toBe(true);
    expect(textToScalar('boolean', 'false')).toBe(false);
    for (const text of ['', 'TRUE', 'True', '1', '0', 'yes']) {
      expect(textToScalar('boolean', text)).toBeUndefined();
    }
  });

  it('string is taken as is', () => {
    expect(scalarToText('string', 'a:b')).toBe('a:b');
    expect(textToScalar('string', '')).toBe('');
  });

  it('rejects a value of the wrong JS type, naming expected and actual type', () => {
    expect(() => scalarToText('string', 42)).toThrow(/must be a string, got number/);
    expect(() => scalarToText('number', '42')).toThrow(/must be a number, got string/);
    expect(() => scalarToText('number', 42n)).toThrow(/must be a number, got bigint/);
    expect(() => scalarToText('bigint', 42)).toThrow(/must be a bigint, got number/);
    expect(() => scalarToText('boolean', 'true')).toThrow(/must be a boolean, got string/);
    expect(() => scalarToText('string', new Date())).toThrow(/got Date/);
    expect(() => scalarToText('string', ['a'])).toThrow(/got array/);
    expect(() => scalarToText('string', null)).toThrow(InvalidKeyError);
  });
});
