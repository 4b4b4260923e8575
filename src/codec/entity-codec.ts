/**
 * The value codec of one entity: zod validation on write and read, superjson's wire format (written and
 * read by a codec compiled from the entity's schema), and materialization of decorated entities as
 * instances of their class.
 */
import { z } from 'zod';
import type { $ZodIssue } from 'zod/v4/core';
import { DecodeError, ValidationError } from '../errors/index.js';
import type { EntityMetadata } from '../entity/index.js';
import type { KeyCodec } from '../keys/index.js';
import { compileSuperjsonCodec, type SuperjsonCodec } from './compiled-codec.js';

/**
 * The result of decoding a stored value: the entity, or the reason it is not one.
 *
 * @example
 * const result = codec.decode(raw, key);
 * if (!result.ok) console.warn(result.error.message);
 */
export type DecodeResult<E> = { ok: true; value: E } | { ok: false; error: DecodeError };

/**
 * One line per issue: `path: message`, for error messages.
 *
 * @example
 * formatIssues(result.error.issues); // 'email: Invalid email address; lastSeen: Invalid input...'
 */
export function formatIssues(issues: readonly $ZodIssue[], max = 5): string {
  const lines = issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(value)'}: ${i.message}`);
  if (issues.length > max) lines.push(`and ${issues.length - max} more`);
  return lines.join('; ');
}

/**
 * Encodes and decodes the values of one entity.
 *
 * Wire format: superjson's JSON (`{"json":...,"meta":...}`), so `Date`, `Map`, `Set`, `BigInt`,
 * `undefined` and `RegExp` values survive, and any superjson reader can read what cacheorm wrote. The
 * text is the one `superjson.stringify` writes, produced by a codec compiled from the schema (several
 * times faster; see docs/performance.md); values it does not specialise go through superjson itself.
 * Validation runs zod's compiled form of the schema (`z.compile`: same results, same issues).
 *
 * @example
 * const codec = new EntityCodec<Session>(getEntityMetadata(Session));
 * const text = codec.serialize(codec.validate(session, 'save'));
 * const back = codec.decode(text, 'app:session:acme:1'); // { ok: true, value: Session { ... } }
 */
export class EntityCodec<E> {
  private readonly schema: z.ZodObject;
  private readonly proto: object | undefined;
  private readonly wire: SuperjsonCodec;
  /** Number key fields: a `-0` in them is written and read as `0`, the number its key part stands for. */
  private readonly numberKeys: readonly string[];

  /**
   * @param keys The entity's key codec in its cache: when given, `decode` also checks that a stored
   *   value's key fields give the key it was read from (a value copied to another key is invalid).
   */
  constructor(
    private readonly metadata: EntityMetadata,
    private readonly keys?: KeyCodec,
  ) {
    this.numberKeys = metadata.keyFields.filter((f) => f.kind === 'number').map((f) => f.name);
    let compiled = COMPILED.get(metadata.schema);
    if (!compiled) {
      // Compiling takes about a millisecond: once per schema, shared by every cache and repository.
      compiled = { schema: compiledSchema(metadata.schema), wire: compileSuperjsonCodec(metadata.schema) };
      COMPILED.set(metadata.schema, compiled);
    }
    this.schema = compiled.schema;
    this.wire = compiled.wire;
    this.proto = metadata.target?.prototype as object | undefined;
  }

  /**
   * Validates one value against the entity's schema and returns zod's output (only declared fields).
   * Throws {@link ValidationError} carrying zod's issues and, for a batch, the item's `index`.
   */
  validate(value: unknown, operation: string, index?: number): Record<string, unknown> {
    const result = this.schema.safeParse(value);
    if (result.success) return this.canonical(result.data as Record<string, unknown>);
    const issues = result.error.issues;
    const where = index === undefined ? '' : ` (item ${index} of the batch)`;
    throw new ValidationError(
      `Entity "${this.metadata.name}" failed validation${where}: ${formatIssues(issues)}. Fix the value before writing it; nothing was written.`,
      issues,
      index ?? 0,
      { entity: this.metadata.name, operation },
    );
  }

  /**
   * Serializes validated data to the wire format: exactly `superjson.stringify(data)`. Throws
   * {@link ValidationError} for data superjson refuses to write (a record key named `__proto__`,
   * `constructor` or `prototype`).
   */
  serialize(data: Record<string, unknown>): string {
    try {
      return this.wire.stringify(data);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const issue = { code: 'custom', path: [], message: reason, input: data } as unknown as $ZodIssue;
      throw new ValidationError(
        `Entity "${this.metadata.name}" cannot be serialized: ${reason} Rename the offending key before writing; nothing was written.`,
        [issue],
        0,
        { entity: this.metadata.name, operation: 'serialize' },
        { cause },
      );
    }
  }

  /**
   * `-0` in a number key field becomes `0`: the key part of both is `0` (docs/keys.md), so the entity
   * says what its key says, whether it comes from `get`, `find().toArray()` or `find().keys()`.
   */
  private canonical(data: Record<string, unknown>): Record<string, unknown> {
    for (const name of this.numberKeys) if (Object.is(data[name], -0)) data[name] = 0;
    return data;
  }

  /** Turns validated data into what `get` returns: an instance of the class for decorated entities. */
  materialize(data: Record<string, unknown>): E {
    if (!this.proto) return data as E;
    return Object.assign(Object.create(this.proto) as object, data) as E;
  }

  /**
   * Decodes a stored value. Never throws: undecodable or invalid values come back as a
   * {@link DecodeError}, which the repository turns into a miss (or throws in strict mode).
   */
  decode(raw: string, key: string): DecodeResult<E> {
    let parsed: unknown;
    try {
      parsed = this.wire.parse(raw);
    } catch (cause) {
      return {
        ok: false,
        error: new DecodeError(
          `The value at "${key}" is not a superjson value of entity "${this.metadata.name}" (${(cause as Error)?.message ?? String(cause)}). It was written by something else or corrupted; it is treated as a miss.`,
          [],
          { entity: this.metadata.name, operation: 'decode', key },
          { cause },
        ),
      };
    }
    let result: z.ZodSafeParseResult<Record<string, unknown>>;
    try {
      result = this.schema.safeParse(parsed) as z.ZodSafeParseResult<Record<string, unknown>>;
    } catch (cause) {
      // A refinement or transform of the schema that throws.
      return {
        ok: false,
        error: new DecodeError(
          `The value at "${key}" could not be validated against entity "${this.metadata.name}" (${(cause as Error)?.message ?? String(cause)}). It is treated as a miss.`,
          [],
          { entity: this.metadata.name, operation: 'decode', key },
          { cause },
        ),
      };
    }
    if (!result.success) {
      return {
        ok: false,
        error: new DecodeError(
          `The value at "${key}" no longer matches entity "${this.metadata.name}": ${formatIssues(result.error.issues)}. If the schema changed, bump the entity's version; the entry is treated as a miss.`,
          result.error.issues,
          { entity: this.metadata.name, operation: 'decode', key },
        ),
      };
    }
    const mismatch = this.keys === undefined ? undefined : this.keyMismatch(parsed as Record<string, unknown>, key);
    if (mismatch !== undefined) return { ok: false, error: mismatch };
    return { ok: true, value: this.materialize(this.canonical(result.data)) };
  }

  /**
   * A {@link DecodeError} when the stored value's key fields do not give the key it was read from (it
   * was copied there, or written by something else), else `undefined`. Compares the stored fields, as
   * written, through the same derivation as writes ({@link KeyCodec.encodeData}): one string built and
   * compared, no schema run.
   */
  private keyMismatch(stored: Record<string, unknown>, key: string): DecodeError | undefined {
    let own: string;
    try {
      own = this.keys!.encodeData(stored);
    } catch {
      own = '(no valid key)';
    }
    if (own === key) return undefined;
    return new DecodeError(
      `The value at "${key}" holds the key fields of another entry of entity "${this.metadata.name}" (they give the key "${own}"). It was copied to this key or written by something else; it is treated as a miss.`,
      [],
      { entity: this.metadata.name, operation: 'decode', key },
    );
  }
}

const COMPILED = new WeakMap<z.ZodObject, { schema: z.ZodObject; wire: SuperjsonCodec }>();

/** zod's compiled form of a schema (same results and issues, faster), or the schema itself. */
function compiledSchema(schema: z.ZodObject): z.ZodObject {
  try {
    return typeof z.compile === 'function' ? z.compile(schema) : schema;
  } catch {
    return schema;
  }
}
