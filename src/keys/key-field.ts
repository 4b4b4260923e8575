/**
 * One key field's value ⇄ its key part: validation by the field's schema, the schema's output for
 * fields whose schema rewrites values, and the part encoding. The field-level half of {@link KeyCodec}.
 */
import type { z } from 'zod';
import { InvalidKeyError } from '../errors/index.js';
import { decodePart, type KeyScalar, type KeyScalarKind, loneSurrogateMessage, scalarToText, textToScalar, tryEncodePart } from './part.js';

/**
 * One key field: its name, its scalar kind and an optional zod validator.
 *
 * @example
 * const id: KeyFieldSpec = { name: 'id', kind: 'string', schema: z.uuid() };
 */
export interface KeyFieldSpec {
  /** Property name of the field on the entity and on key objects. */
  name: string;
  /** How the value is written into the key part. */
  kind: KeyScalarKind;
  /**
   * Optional validator, applied to values given to `encode`/`encodeLiteral` and to values decoded by
   * `decode`. Used as a validator only (its output is ignored) unless `rewrites` is set.
   */
  schema?: z.ZodType;
  /**
   * The schema can rewrite its input (`.trim()`, `.toLowerCase()`, `.default()`, a transform...):
   * `encode`/`encodeLiteral` then write the schema's output, so a key given as `' ACME'` is the key
   * the entity saved as `'acme'` is stored under. Without it (the default) values are written as given
   * and the schema only validates them: no parse, no copy.
   */
  rewrites?: boolean;
}

/** The entity a field belongs to, for error messages. @internal */
export interface FieldOwner {
  readonly entity: string;
  /** The entity's key fields, comma-separated. */
  readonly fieldList: string;
}

/** The error for a key object without `field`. @internal */
export function missingField(owner: FieldOwner, field: KeyFieldSpec): InvalidKeyError {
  return new InvalidKeyError(
    `Key of entity "${owner.entity}" is missing field "${field.name}". Pass all of: ${owner.fieldList}.`,
    { entity: owner.entity, field: field.name },
  );
}

/** The key part of a value given by the caller: validated, or rewritten by a rewriting schema. @internal */
export function encodeFieldValue(owner: FieldOwner, field: KeyFieldSpec, value: unknown): string {
  const ctx = { entity: owner.entity, field: field.name };
  if (field.rewrites && field.schema !== undefined) value = rewriteFieldValue(owner, field, value);
  else if (value === undefined || value === null) throw missingField(owner, field);
  const text = scalarToText(field.kind, value, ctx);
  if (field.schema !== undefined && !field.rewrites) runSchema(owner, field, value);
  const part = tryEncodePart(text);
  if (part === undefined) throw new InvalidKeyError(loneSurrogateMessage(ctx), ctx);
  return part;
}

/** The key part of a value that already is its schema's output (entity data): no schema run. @internal */
export function encodeDataValue(owner: FieldOwner, field: KeyFieldSpec, value: unknown): string {
  if (value === undefined || value === null) throw missingField(owner, field);
  const ctx = { entity: owner.entity, field: field.name };
  const part = tryEncodePart(scalarToText(field.kind, value, ctx));
  if (part === undefined) throw new InvalidKeyError(loneSurrogateMessage(ctx), ctx);
  return part;
}

/** A rewriting field's value through its schema: its output, which the key is written from. @internal */
export function rewriteFieldValue(owner: FieldOwner, field: KeyFieldSpec, value: unknown): unknown {
  const output = runSchema(owner, field, value, value === undefined || value === null);
  if (output === undefined || output === null) throw missingField(owner, field);
  return output;
}

/** The value of a key part read back, or `undefined` when it is not canonical or fails the schema. @internal */
export function decodeFieldPart(field: KeyFieldSpec, part: string): KeyScalar | undefined {
  const text = decodePart(part);
  if (text === undefined) return undefined;
  const value = textToScalar(field.kind, text);
  if (value === undefined || field.schema === undefined) return value;
  try {
    return field.schema.safeParse(value).success ? value : undefined;
  } catch {
    return undefined; // a throwing refinement or an async schema: treat as not conforming
  }
}

/** Runs the field's schema on `value`; answers its output. `missing`: a failure means the field is absent. */
function runSchema(owner: FieldOwner, field: KeyFieldSpec, value: unknown, missing = false): unknown {
  const ctx = { entity: owner.entity, field: field.name };
  let result: ReturnType<z.ZodType['safeParse']>;
  try {
    result = field.schema!.safeParse(value);
  } catch (cause) {
    throw new InvalidKeyError(
      `Key field "${field.name}" of entity "${owner.entity}" could not be validated: ${errorText(cause)}. ` +
        'Key field schemas must be synchronous and must not throw.',
      ctx,
      { cause },
    );
  }
  if (!result.success) {
    if (missing) throw missingField(owner, field);
    const detail = result.error.issues.map((issue) => issue.message).join('; ');
    throw new InvalidKeyError(
      `Key field "${field.name}" of entity "${owner.entity}" is not valid: ${detail}. ` +
        "Pass a value that matches the field's schema.",
      ctx,
      { cause: result.error },
    );
  }
  return result.data;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
