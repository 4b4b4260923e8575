/** The fast ISO date conversions answer exactly what the built-ins answer. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../src/codec/iso-date.js';

const RUNS = { numRuns: Number(process.env.CODEC_RUNS ?? 2000) };
const MAX = 8.64e15;
const times = fc.oneof(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: -62_167_219_200_000 - 1000, max: 253_402_300_800_000 + 1000 }), fc.integer({ min: -1e11, max: 1e11 }));

describe('formatIsoDate', () => {
  it('is Date.prototype.toISOString for every valid time', () => {
    fc.assert(
      fc.property(times, (ms) => {
        const d = new Date(ms);
        expect(formatIsoDate(d, ms)).toBe(d.toISOString());
      }),
      RUNS,
    );
    for (const ms of [0, -1, 951_782_400_000, -62_167_219_200_000, 253_402_300_799_999, MAX, -MAX]) expect(formatIsoDate(new Date(ms), ms)).toBe(new Date(ms).toISOString());
  });
});

describe('parseIsoDate', () => {
  const same = (text: string): void => {
    expect(Object.is(parseIsoDate(text).getTime(), new Date(text).getTime()), text).toBe(true);
  };

  it('is new Date(text) for ISO strings of every valid time', () => {
    fc.assert(
      fc.property(times, (ms) => {
        same(new Date(ms).toISOString());
      }),
      RUNS,
    );
  });

  it('is new Date(text) for near-ISO and arbitrary strings', () => {
    const digit = fc.constantFrom(...'0123456789');
    const nearIso = fc
      .tuple(fc.array(digit, { minLength: 4, maxLength: 4 }), fc.array(fc.tuple(digit, digit), { minLength: 7, maxLength: 7 }), digit, fc.constantFrom('Z', 'z', '+', ' '))
      .map(([y, pairs, last, z]) => `${y.join('')}-${pairs[0]!.join('')}-${pairs[1]!.join('')}T${pairs[2]!.join('')}:${pairs[3]!.join('')}:${pairs[4]!.join('')}.${pairs[5]!.join('')}${last}${z}`);
    fc.assert(fc.property(fc.oneof(nearIso, fc.string({ minLength: 24, maxLength: 24 }), fc.string()), same), RUNS);
    for (const text of ['2026-02-29T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '2026-02-30T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', '2026-13-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2026-01-01']) {
      same(text);
    }
  });
});
