/** Which zod schemas can be key fields, and as which scalar kind they are written into keys. */
import type { z } from 'zod';

/**
 * How a key field's value is written into a key part: strings encoded, numbers canonical, bigints in
 * decimal, booleans as `true`/`false` (see docs/keys.md).
 *
 * @example
 * getEntityMetadata(Session).keyFields[0]?.kind; // 'string'
 */
export type KeyKind = 'string' | 'number' | 'bigint' | 'boolean';

type SchemaDef = {
  type: string;
  entries?: Record<string, unknown>;
  values?: readonly unknown[];
  checks?: readonly { _zod: { def: { check?: string } } }[];
  coerce?: boolean;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
};

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

function kindOfValue(v: unknown): KeyKind | undefined {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return typeof v as KeyKind;
    default:
      return undefined;
  }
}

function kindOfValues(values: readonly unknown[]): KeyKind | undefined {
  const kinds = new Set(values.map(kindOfValue));
  if (kinds.size !== 1) return undefined;
  return [...kinds][0];
}

/**
 * What a key field's schema means for its key: the scalar kind of its output, and whether it can
 * rewrite its input (`.trim()`, `.toLowerCase()`, `.overwrite()`, `z.coerce.*`, `.default()`,
 * `.prefault()`, `.catch()`, `.transform()`, `.pipe()`). Keys are written from the schema's output, so
 * the key of a rewriting field is derived by running the given value through the schema on every path
 * (`get`, `delete`, `find` literals...); other fields are written as given, at no extra cost.
 */
export interface KeySchemaInfo {
  /** The scalar kind of the schema's output. */
  readonly kind: KeyKind;
  /** Whether the schema's output may differ from its input. */
  readonly rewrites: boolean;
}

/**
 * The key kind and rewriting of a zod schema, or `undefined` when its output cannot be a key field
 * (objects, dates, arrays, optional/nullable values, mixed-type enums and literals, a bare
 * `z.transform()` whose output type is unknown).
 */
export function keySchemaInfo(schema: z.ZodType): KeySchemaInfo | undefined {
  const def = defOf(schema);
  const rewrites = def.coerce === true || (def.checks?.some((c) => c._zod.def.check === 'overwrite') ?? false);
  const own = (kind: KeyKind | undefined): KeySchemaInfo | undefined => (kind === undefined ? undefined : { kind, rewrites });
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return own('string');
    case 'number':
    case 'bigint':
    case 'boolean':
      return own(def.type);
    case 'enum':
      return own(kindOfValues(Object.values(def.entries ?? {})));
    case 'literal':
      return own(kindOfValues(def.values ?? []));
    case 'readonly': {
      const inner = keySchemaInfo(def.innerType!);
      return inner && { kind: inner.kind, rewrites: inner.rewrites || rewrites };
    }
    case 'default':
    case 'prefault':
    case 'catch': {
      const inner = keySchemaInfo(def.innerType!);
      return inner && { kind: inner.kind, rewrites: true };
    }
    case 'pipe': {
      // A pipe ending in a transform: the output's type is unknown here; it is taken to be the input's
      // kind and checked on every key written (InvalidKeyError when the transform returns another type).
      const out = defOf(def.out!).type === 'transform' ? keySchemaInfo(def.in!) : keySchemaInfo(def.out!);
      return out && { kind: out.kind, rewrites: true };
    }
    default:
      return undefined;
  }
}

/**
 * The key kind of a zod schema, or `undefined` when the schema cannot be a key field. See
 * {@link keySchemaInfo}.
 */
export function keyKindOf(schema: z.ZodType): KeyKind | undefined {
  return keySchemaInfo(schema)?.kind;
}

/** The zod type name of a schema, for error messages. */
export function schemaTypeName(schema: z.ZodType): string {
  return defOf(schema).type;
}
