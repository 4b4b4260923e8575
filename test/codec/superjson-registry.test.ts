/**
 * Registrations on superjson's default instance change what superjson writes; the compiled encoder
 * then steps aside. (Its own file: a registration cannot be undone, and each test file runs in a
 * fresh module graph.)
 */
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileSuperjsonCodec } from '../../src/codec/index.js';

describe('compiled codec with superjson registrations', () => {
  const schema = z.object({ at: z.date(), amount: z.string() });
  const value = { at: new Date(0), amount: '12.50' };

  it('writes through superjson once a custom transformer is registered', () => {
    const codec = compileSuperjsonCodec(schema);
    expect(codec.stringify(value)).toBe(superjson.stringify(value));
    expect(codec.stats.encodeCompiled).toBe(1);

    // A transformer that claims Dates (checked by superjson before its own Date rule).
    superjson.registerCustom<Date, number>(
      { isApplicable: (v): v is Date => v instanceof Date, serialize: (d) => d.getTime(), deserialize: (ms) => new Date(ms) },
      'epoch-date',
    );
    const text = codec.stringify(value);
    expect(text).toBe(superjson.stringify(value));
    expect(text).toContain('["custom","epoch-date"]');
    expect(codec.stats.encodeFallback).toBe(1);
    expect(codec.parse(text)).toEqual(superjson.parse(text));
    expect(codec.stats.decodeFallback).toBe(1);
  });
});
