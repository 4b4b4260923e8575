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

type SchemaDef = { type: string; entries?: Record<string, unknown>; values?: readonly unknown[] };

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
 * The key kind of a zod schema, or `undefined` when the schema cannot be a key field (objects, dates,
 * arrays, optional/nullable/default/transformed values, mixed-type enums and literals).
 */
export function keyKindOf(schema: z.ZodType): KeyKind | undefined {
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return 'string';
    case 'number':
    case 'bigint':
    case 'boolean':
      return def.type;
    case 'enum':
      return kindOfValues(Object.values(def.entries ?? {}));
    case 'literal':
      return kindOfValues(def.values ?? []);
    default:
      return undefined;
  }
}

/** The zod type name of a schema, for error messages. */
export function schemaTypeName(schema: z.ZodType): string {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def.type;
}
