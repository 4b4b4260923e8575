/**
 * The value codec of one entity: zod validation on write and read, superjson on the wire, and
 * materialization of decorated entities as instances of their class.
 */
import superjson from 'superjson';
import type { z } from 'zod';
import type { $ZodIssue } from 'zod/v4/core';
import { DecodeError, ValidationError } from '../errors/index.js';
import type { EntityMetadata } from '../entity/index.js';

/** The result of decoding a stored value: the entity, or the reason it is not one. */
export type DecodeResult<E> = { ok: true; value: E } | { ok: false; error: DecodeError };

/** One line per issue: `path: message`, for error messages. */
export function formatIssues(issues: readonly $ZodIssue[], max = 5): string {
  const lines = issues.slice(0, max).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(value)'}: ${i.message}`);
  if (issues.length > max) lines.push(`and ${issues.length - max} more`);
  return lines.join('; ');
}

/**
 * Encodes and decodes the values of one entity.
 *
 * Wire format: superjson's JSON (`{"json":...,"meta":...}`), so `Date`, `Map`, `Set`, `BigInt`,
 * `undefined` and `RegExp` values survive, and any superjson reader can read what cacheorm wrote.
 */
export class EntityCodec<E> {
  private readonly schema: z.ZodObject;
  private readonly proto: object | undefined;

  constructor(private readonly metadata: EntityMetadata) {
    this.schema = metadata.schema;
    this.proto = metadata.target?.prototype as object | undefined;
  }

  /**
   * Validates one value against the entity's schema and returns zod's output (only declared fields).
   * Throws {@link ValidationError} carrying zod's issues and, for a batch, the item's `index`.
   */
  validate(value: unknown, operation: string, index?: number): Record<string, unknown> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data as Record<string, unknown>;
    const issues = result.error.issues;
    const where = index === undefined ? '' : ` (item ${index} of the batch)`;
    throw new ValidationError(
      `Entity "${this.metadata.name}" failed validation${where}: ${formatIssues(issues)}. Fix the value before writing it; nothing was written.`,
      issues,
      index ?? 0,
      { entity: this.metadata.name, operation },
    );
  }

  /** Serializes validated data to the wire format. */
  serialize(data: Record<string, unknown>): string {
    return superjson.stringify(data);
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
      parsed = superjson.parse(raw);
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
    const result = this.schema.safeParse(parsed);
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
    return { ok: true, value: this.materialize(result.data as Record<string, unknown>) };
  }
}
