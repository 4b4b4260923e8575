/**
 * Reads a zod 4 schema into the small tree of value shapes the compiled codec specialises: what the
 * schema's *output* looks like (after defaults, pipes and wrappers). Anything whose output cannot be
 * told from the schema (unions of different shapes, transforms, `any`, lazy schemas...) becomes an
 * `any` node, which the codec handles by looking at the value itself. @internal
 */
import type { z } from 'zod';
import { pathSegment } from './wire.js';

/** How a JSON `null` at this place is most likely meant: `null`, or superjson's encoded `undefined`. */
export type NullMeans = 'null' | 'undefined';

/** One field of an object node. @internal */
export interface FieldNode {
  readonly key: string;
  /** `JSON.stringify(key) + ':'`, as written in the JSON. */
  readonly keyJson: string;
  /** The key as an annotation path segment (escaped for superjson and JSON). */
  readonly segment: string;
  /** The key is also a property of `Object.prototype` (`toString`...): read it only when it is own. */
  readonly inherited: boolean;
  readonly node: SchemaNode;
}

/** The output shape of a schema, as the codec sees it. @internal */
export type SchemaNode = { readonly nullMeans: NullMeans } & (
  | { readonly kind: 'string' | 'number' | 'boolean' | 'bigint' | 'date' | 'any' }
  | { readonly kind: 'object'; readonly fields: readonly FieldNode[]; readonly catchall: SchemaNode | undefined }
  | { readonly kind: 'array' | 'set' | 'record'; readonly element: SchemaNode }
  | { readonly kind: 'tuple'; readonly items: readonly SchemaNode[]; readonly rest: SchemaNode | undefined }
  | { readonly kind: 'map'; readonly key: SchemaNode; readonly value: SchemaNode }
);

interface ZodDef {
  type: string;
  [field: string]: unknown;
}

function defOf(schema: unknown): ZodDef {
  return (schema as { _zod: { def: ZodDef } })._zod.def;
}

const ANY: SchemaNode = { kind: 'any', nullMeans: 'null' };

/** Reads an object schema (an entity's schema) into its {@link SchemaNode} tree. @internal */
export function readSchema(schema: z.ZodObject): SchemaNode {
  return read(schema);
}

function read(schema: unknown): SchemaNode {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
    case 'template_literal':
      return { kind: 'string', nullMeans: 'null' };
    case 'number':
    case 'nan':
      return { kind: 'number', nullMeans: 'null' };
    case 'boolean':
      return { kind: 'boolean', nullMeans: 'null' };
    case 'bigint':
      return { kind: 'bigint', nullMeans: 'null' };
    case 'date':
      return { kind: 'date', nullMeans: 'null' };
    case 'undefined':
    case 'void':
      return { kind: 'any', nullMeans: 'undefined' };
    case 'enum':
    case 'literal':
      return readValues(schema);
    case 'optional': {
      const inner = read(def.innerType);
      return { ...inner, nullMeans: acceptsNull(def.innerType) ? 'null' : 'undefined' };
    }
    case 'nullable':
      return { ...read(def.innerType), nullMeans: 'null' };
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return read(def.innerType);
    case 'pipe':
      return defOf(def.out).type === 'transform' ? ANY : read(def.out);
    case 'object':
      return readObject(def);
    case 'array':
      return { kind: 'array', element: read(def.element), nullMeans: 'null' };
    case 'set':
      return { kind: 'set', element: read(def.valueType), nullMeans: 'null' };
    case 'map':
      return { kind: 'map', key: read(def.keyType), value: read(def.valueType), nullMeans: 'null' };
    case 'record':
      return { kind: 'record', element: def.mode === 'loose' ? ANY : read(def.valueType), nullMeans: 'null' };
    case 'tuple':
      return {
        kind: 'tuple',
        items: (def.items as unknown[]).map(read),
        rest: def.rest ? read(def.rest) : undefined,
        nullMeans: 'null',
      };
    case 'union':
      return readUnion(def.options as unknown[]);
    default:
      // any, unknown, transform, lazy, intersection, custom, symbol, promise, function...
      return ANY;
  }
}

function readObject(def: ZodDef): SchemaNode {
  const shape = def.shape as Record<string, unknown>;
  const fields: FieldNode[] = [];
  // Object.keys gives the order zod writes its output in (index-like keys first, then insertion order).
  for (const key of Object.keys(shape)) {
    if (key === '__proto__') continue; // zod never writes it
    fields.push({
      key,
      keyJson: JSON.stringify(key) + ':',
      segment: pathSegment(key),
      inherited: key in Object.prototype,
      node: read(shape[key]),
    });
  }
  const catchall = def.catchall === undefined || defOf(def.catchall).type === 'never' ? undefined : read(def.catchall);
  return { kind: 'object', fields, catchall, nullMeans: 'null' };
}

const VALUE_KINDS: Record<string, SchemaNode['kind']> = { string: 'string', number: 'number', bigint: 'bigint', boolean: 'boolean' };

/** Enums and literals: values of one type (besides null / undefined) → that type; else told apart by value. */
function readValues(schema: unknown): SchemaNode {
  const values = (schema as { _zod: { values?: Set<unknown> } })._zod.values;
  if (!values || values.size === 0) return ANY;
  const nullMeans: NullMeans = values.has(undefined) && !values.has(null) ? 'undefined' : 'null';
  const types = new Set([...values].filter((v) => v !== null && v !== undefined).map((v) => typeof v));
  const kind = types.size === 1 ? VALUE_KINDS[[...types][0]!] : undefined;
  return { kind: kind ?? 'any', nullMeans } as SchemaNode;
}

/** A union whose options all have one scalar shape (`'a' | 'b'`, `string | null`) is that shape. */
function readUnion(options: unknown[]): SchemaNode {
  if (options.length === 0) return ANY;
  const scalar = ['string', 'number', 'boolean', 'bigint', 'date'];
  const kinds = new Set(options.filter((o) => !isNullish(o)).map((o) => read(o).kind));
  const nullMeans: NullMeans = options.some(acceptsNull) ? 'null' : options.some(acceptsUndefined) ? 'undefined' : 'null';
  if (kinds.size === 1) {
    const kind = [...kinds][0]!;
    if (scalar.includes(kind)) return { kind, nullMeans } as SchemaNode;
  }
  return { kind: 'any', nullMeans };
}

function isNullish(schema: unknown): boolean {
  const t = defOf(schema).type;
  return t === 'null' || t === 'undefined' || t === 'void';
}

function acceptsNull(schema: unknown): boolean {
  const def = defOf(schema);
  switch (def.type) {
    case 'null':
    case 'nullable':
    case 'any':
    case 'unknown':
      return true;
    case 'literal':
    case 'enum':
      return (schema as { _zod: { values?: Set<unknown> } })._zod.values?.has(null) ?? false;
    case 'optional':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return acceptsNull(def.innerType);
    case 'union':
      return (def.options as unknown[]).some(acceptsNull);
    default:
      return false;
  }
}

function acceptsUndefined(schema: unknown): boolean {
  const t = defOf(schema).type;
  return t === 'undefined' || t === 'void' || t === 'optional';
}
