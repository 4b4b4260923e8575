/**
 * A superjson codec compiled for one zod object schema: `superjson.stringify` and `superjson.parse`,
 * with the same results, several times faster for the schema's values.
 */
import superjson from 'superjson';
import type { z } from 'zod';
import { applyAnnotations } from './apply-annotations.js';
import { compileDecoder } from './decoder.js';
import { compileEncoder } from './encoder.js';
import { readSchema } from './schema-nodes.js';
import { BAIL, superjsonIsStock } from './wire.js';

/**
 * How often each path of a {@link SuperjsonCodec} ran, for tests and diagnostics.
 *
 * @example
 * codec.parse(text);
 * if (codec.stats.decodeFallback > 0) console.warn('some texts needed superjson itself');
 */
export interface SuperjsonCodecStats {
  /** Values written by the compiled encoder. */
  encodeCompiled: number;
  /** Values handed to `superjson.stringify` (see {@link SuperjsonCodec} for when). */
  encodeFallback: number;
  /** Texts read by the compiled decoder (the `meta` checked against the schema, not parsed). */
  decodeCompiled: number;
  /** Texts read by the general reader (`JSON.parse`, then `meta.values` applied as superjson does). */
  decodeGeneric: number;
  /** Texts handed to `superjson.parse`. */
  decodeFallback: number;
}

/**
 * superjson's `stringify` and `parse`, specialised for the values of one zod object schema.
 *
 * - `stringify(value)` returns exactly `superjson.stringify(value)` for the schema's parse output (zod
 *   writes keys in the schema's order and drops undeclared ones; so does this encoder). Values, or parts
 *   of values, of another type than the schema says are written by their runtime type, as superjson
 *   does. It hands the value to `superjson.stringify` itself for what it does not reproduce: class
 *   instances, `Error`, `RegExp`, `URL`, typed arrays, symbols, cycles, invalid dates, sparse arrays,
 *   keys superjson refuses, and whenever classes, symbols or custom transformers are registered on
 *   superjson's default instance.
 * - `parse(text)` returns what `superjson.parse(text)` returns (or throws what it throws), for any text:
 *   texts written for the schema's values are read without parsing their `meta`, other plain superjson
 *   texts by a faster reader, and the rest by `superjson.parse`.
 *
 * @example
 * const codec = compileSuperjsonCodec(z.object({ id: z.string(), at: z.date() }));
 * const text = codec.stringify({ id: 'a', at: new Date(0) });
 * // '{"json":{"id":"a","at":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"at":["Date"]},"v":1}}'
 * codec.parse(text); // { id: 'a', at: new Date(0) }
 */
export interface SuperjsonCodec {
  stringify(value: unknown): string;
  parse(text: string): unknown;
  /** Counts of the paths taken so far. */
  readonly stats: SuperjsonCodecStats;
}

// After this many texts in a row the compiled decoder could not read, it sits out the next SKIP_AFTER_MISSES.
const MISSES_BEFORE_SKIP = 8;
const SKIP_AFTER_MISSES = 1024;

/**
 * Options of {@link compileSuperjsonCodec}.
 *
 * @example
 * const codec = compileSuperjsonCodec(schema, { codegen: false }); // no `new Function`
 */
export interface SuperjsonCodecOptions {
  /**
   * Generate the encoder's and decoder's code with `new Function` (default `true`). Without it (or where
   * a content security policy forbids it) the encoder is made of closures (about half as fast) and
   * texts are read by the general reader.
   */
  codegen?: boolean;
}

/**
 * Compiles the superjson codec of a zod object schema (an entity's schema).
 *
 * @example
 * const codec = compileSuperjsonCodec(z.object({ roles: z.set(z.string()) }));
 * codec.parse(codec.stringify({ roles: new Set(['admin']) })); // { roles: Set { 'admin' } }
 */
export function compileSuperjsonCodec(schema: z.ZodObject, options: SuperjsonCodecOptions = {}): SuperjsonCodec {
  let encode: ((value: unknown) => string) | undefined;
  let decode: ((text: string) => unknown) | undefined;
  try {
    const root = readSchema(schema);
    const codegen = options.codegen !== false;
    encode = compileEncoder(root, { codegen });
    decode = codegen ? compileDecoder(root) : undefined;
  } catch {
    // A schema this version cannot read (a future zod's internals): superjson does all the work.
  }
  const stats: SuperjsonCodecStats = { encodeCompiled: 0, encodeFallback: 0, decodeCompiled: 0, decodeGeneric: 0, decodeFallback: 0 };
  let misses = 0;
  let skip = 0;

  function stringify(value: unknown): string {
    if (encode && superjsonIsStock()) {
      try {
        const text = encode(value);
        stats.encodeCompiled++;
        return text;
      } catch {
        // BAIL, or a value that throws while read (a getter): superjson decides what happens.
      }
    }
    stats.encodeFallback++;
    return superjson.stringify(value);
  }

  function parse(text: string): unknown {
    if (decode && skip === 0) {
      try {
        const value = decode(text);
        stats.decodeCompiled++;
        misses = 0;
        return value;
      } catch {
        if (++misses >= MISSES_BEFORE_SKIP) {
          misses = 0;
          skip = SKIP_AFTER_MISSES;
        }
      }
    } else if (skip > 0) {
      skip--;
    }
    // superjson.parse starts with JSON.parse too: a text that is not JSON fails here the same way.
    const payload: unknown = JSON.parse(text);
    try {
      const value = applyAnnotations(payload);
      stats.decodeGeneric++;
      return value;
    } catch (error) {
      // A conversion that failed (BigInt('x')...) failed as superjson's would, at the same step.
      if (error !== BAIL) throw error;
    }
    stats.decodeFallback++;
    return superjson.parse(text);
  }

  return { stringify, parse, stats };
}
