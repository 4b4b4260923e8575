/** The runtime description of an entity, built once from decorators or `defineEntity`. */
import { z } from 'zod';
import { EntityDefinitionError } from '../errors/index.js';
import { unknownNames, unknownOptionMessage } from '../errors/suggest.js';
import { ENTITY_NAME_RULE } from '../keys/index.js';
import { checkHashTag } from '../keys/hash-tag.js';
import { keySchemaInfo, schemaTypeName, type KeyKind } from './key-kind.js';
import { alwaysValued, distinctValues, fieldIndexKindOf, INDEXABLE_TYPES, type FieldIndexMetadata } from './field-index.js';
import { parseTtl, type Ttl } from './ttl.js';

/**
 * How `find` looks entities up: `'scan'` walks the keyspace with `SCAN MATCH` (no write overhead);
 * `'index'` keeps a sorted set of the entity's keys scored by expiry and walks that (one more command
 * per write, cost follows the entity's size instead of the whole keyspace's).
 *
 * @example
 * @CacheEntity({ name: 'session', ttl: '30m', find: 'index' satisfies FindStrategy })
 * class Session { ... }
 */
export type FindStrategy = 'scan' | 'index';

/**
 * The names of {@link EntityOptions}, the one list unknown options are checked against (a misspelt
 * option is an {@link EntityDefinitionError} naming the closest of these). A new entity option must be
 * added here, or this stops compiling.
 * `defineEntity` also takes `DEFINE_ENTITY_OPTION_NAMES` (define-entity.ts). @internal
 */
export const ENTITY_OPTION_NAMES: readonly string[] = Object.freeze(
  Object.keys({ name: true, ttl: true, version: true, find: true, hashTag: true, grace: true, nearCache: true } satisfies {
    [K in keyof Required<EntityOptions>]: true;
  }),
);


/**
 * Options shared by `@CacheEntity` and `defineEntity`.
 *
 * @example
 * const options: EntityOptions = { name: 'session', ttl: '30m', version: 2, find: 'index' };
 * @CacheEntity(options)
 * class Session { ... }
 */
export interface EntityOptions {
  /** Entity name, the second segment of every key: letters, digits, `_`, `.`, `-`, starting with a letter. */
  name: string;
  /** Time to live of every entry: ms, `'30s'`, `'5m'`, `'1h'`, `'7d'`..., or `'never'`. Required. */
  ttl: Ttl;
  /** Schema version: puts `v<version>` into every key, so a schema change orphans (and lets expire) old entries. */
  version?: number;
  /** How `find` looks entities up: `'scan'` (default) or `'index'`. See docs/find.md. */
  find?: FindStrategy;
  /**
   * Redis Cluster: the leading key fields written as a `{...}` hash tag, so that entities sharing their
   * values share a slot (`['tenantId']` gives `app:session:{acme}:42`): one tenant's entities live on
   * one master, a `find` fixing the tag reads only that master, and `find: 'index'` keeps one index set
   * per tag next to them. Must be the first key fields, in key order. See docs/cluster.md.
   */
  hashTag?: readonly string[];
  /**
   * How long an entry stays in Redis after its TTL, as a *stale* entry: `get` skips it, `get(key, {
   * allowStale: true })` returns it, and `getOrLoad` serves it when the loader fails or is slow. A
   * positive ms number or a duration (`'10m'`); not allowed with `ttl: 'never'`. Default: no grace
   * (entries are gone at their TTL, nothing extra is stored or read). See docs/freshness.md.
   */
  grace?: Exclude<Ttl, 'never'>;
  /**
   * Whether the cache's near cache (`createCache({ nearCache })`) keeps this entity's entries in
   * process (default `true`); `false` reads it from Redis every time, e.g. for entities written far
   * more often than read. No effect without a near cache. See docs/near-cache.md.
   */
  nearCache?: boolean;
}

/**
 * One key field: its name, zod schema and how it is written into the key.
 *
 * @example
 * getEntityMetadata(Session).keyFields.map((f) => `${f.name}: ${f.kind}`); // ['tenantId: string', 'id: string']
 */
export interface KeyFieldMetadata {
  /** The field's name on the entity. */
  readonly name: string;
  /** How its value is written into the key (string, number, bigint or boolean). */
  readonly kind: KeyKind;
  /** The field's zod schema. */
  readonly schema: z.ZodType;
  /**
   * Whether the schema can rewrite its input (`.trim()`, `.toLowerCase()`, `.default()`, a transform,
   * `z.coerce.*`...): then every key is derived from the schema's output, on writes and on reads alike.
   */
  readonly rewrites: boolean;
}

/**
 * Everything cacheorm knows about an entity at run time, from its decorators or `defineEntity`.
 *
 * @example
 * const { name, ttlMs, keyFields } = getEntityMetadata(Session); // 'session', 1_800_000, [...]
 */
export interface EntityMetadata {
  /** The entity name, the second segment of its keys. */
  readonly name: string;
  /** TTL in ms, `null` for `'never'`. */
  readonly ttlMs: number | null;
  /** The schema version written into every key as `v<version>`; `undefined` when unversioned. */
  readonly version: number | undefined;
  /** How `find` looks entities up. */
  readonly find: FindStrategy;
  /** Key fields in key order. */
  readonly keyFields: readonly KeyFieldMetadata[];
  /** Grace period in ms after the TTL during which an entry is kept as stale; `0` for none. */
  readonly graceMs: number;
  /** The hash-tag fields (leading key fields written inside `{...}`); empty when the entity has none. */
  readonly hashTag: readonly string[];
  /** Whether a cache's near cache keeps this entity's entries (the `nearCache` option, default `true`). */
  readonly nearCache: boolean;
  /** The zod object schema of the whole entity (key fields included). */
  readonly schema: z.ZodObject;
  /**
   * The fields with a field index (`@Field(schema, { index: true })`, `defineEntity({ indexes })`), in
   * declaration order; empty when none. See docs/find.md, "Field indexes".
   */
  readonly fieldIndexes: readonly FieldIndexMetadata[];
  /** The decorated class, whose instances `get` returns; `undefined` for `defineEntity` entities. */
  readonly target: (abstract new (...args: never[]) => unknown) | undefined;
}

function fail(entity: string, message: string): never {
  throw new EntityDefinitionError(message, { entity });
}

/**
 * Validates an entity declaration and builds its metadata. Throws {@link EntityDefinitionError} with a
 * message that says how to fix the declaration.
 */
export function buildEntityMetadata(input: {
  options: EntityOptions;
  keyNames: readonly string[];
  schema: z.ZodObject;
  target?: abstract new (...args: never[]) => unknown;
  what: string;
  /** Option names the caller takes besides {@link ENTITY_OPTION_NAMES} (`defineEntity`'s key and schema). */
  extraOptions?: readonly string[];
  /** The fields to keep a field index on (`@Field(schema, { index: true })`, `defineEntity`'s indexes). */
  indexNames?: readonly string[];
}): EntityMetadata {
  const { options, keyNames, schema, what } = input;
  if (options === null || typeof options !== 'object') {
    throw new EntityDefinitionError(`${what} needs an options object: { name: 'session', ttl: '30m' }.`);
  }
  const known = input.extraOptions === undefined ? ENTITY_OPTION_NAMES : [...ENTITY_OPTION_NAMES, ...input.extraOptions];
  const unknown = unknownNames(options, known);
  if (unknown.length > 0) {
    const entity = typeof options.name === 'string' ? options.name : undefined;
    throw new EntityDefinitionError(
      unknownOptionMessage(`${what}${entity === undefined ? '' : ` (entity "${entity}")`}`, unknown[0]!, known),
      entity === undefined ? {} : { entity },
    );
  }
  const name = options.name;
  if (typeof name !== 'string' || !ENTITY_NAME_RULE.test(name)) {
    throw new EntityDefinitionError(
      `${what} has the invalid name ${JSON.stringify(name)}. Use a letter followed by letters, digits, '_', '.' or '-' (at most 100 characters), e.g. 'session'.`,
    );
  }
  if (options.ttl === undefined) {
    fail(name, `Entity "${name}" has no TTL. Every cache entry must expire: set ttl (e.g. ttl: '30m'), or ttl: 'never' to keep entries until deleted.`);
  }
  const ttl = parseTtl(options.ttl);
  if ('error' in ttl) fail(name, `Entity "${name}": ${ttl.error}`);
  const version = options.version;
  if (version !== undefined && !(Number.isSafeInteger(version) && version > 0)) {
    fail(name, `Entity "${name}" has the invalid version ${String(version)}. Use a positive integer (1, 2, ...).`);
  }
  if (options.find !== undefined && options.find !== 'scan' && options.find !== 'index') {
    fail(name, `Entity "${name}" has find: ${JSON.stringify(options.find)}. Use 'scan' (default) or 'index'.`);
  }
  if (keyNames.length === 0) {
    fail(name, `Entity "${name}" has no key field. Mark the fields that identify an entry with @Key(schema), or list them in defineEntity's key option.`);
  }
  const shape = schema.shape as Record<string, z.ZodType>;
  const seen = new Set<string>();
  const keyFields = keyNames.map((field): KeyFieldMetadata => {
    if (seen.has(field)) fail(name, `Entity "${name}" lists key field "${field}" twice. List each key field once.`);
    seen.add(field);
    const fieldSchema = shape[field];
    if (!fieldSchema) {
      fail(name, `Entity "${name}" names "${field}" as a key field, but the schema has no such field. Add it to the schema or remove it from the key.`);
    }
    const info = keySchemaInfo(fieldSchema);
    if (!info) {
      fail(
        name,
        `Key field "${field}" of entity "${name}" has a ${schemaTypeName(fieldSchema)} schema whose output is not a string, number, bigint or boolean. Key fields must be required strings, numbers, bigints or booleans (z.string(), z.uuid(), z.int(), z.enum([...]), ...); move other values to a @Field.`,
      );
    }
    return { name: field, kind: info.kind, schema: fieldSchema, rewrites: info.rewrites };
  });
  const hashTag = checkHashTag(name, keyNames, options.hashTag);
  const graceMs = entityGrace(name, options.grace, ttl.ms);
  if (options.nearCache !== undefined && typeof options.nearCache !== 'boolean') {
    fail(name, `Entity "${name}" has nearCache ${JSON.stringify(options.nearCache)}; use true (the default) or false.`);
  }
  const fieldIndexes = checkFieldIndexes(name, input.indexNames ?? [], shape, seen);
  if (fieldIndexes.length > 0 && options.find === 'scan') {
    fail(
      name,
      `Entity "${name}" has field indexes (${fieldIndexes.map((f) => f.name).join(', ')}) and find: 'scan'. Field indexes are kept consistent with expiry through the entity's key index: remove find: 'scan' (field indexes turn find: 'index' on).`,
    );
  }
  const find = fieldIndexes.length > 0 ? 'index' : (options.find ?? 'scan');
  return Object.freeze({
    nearCache: options.nearCache ?? true,
    name,
    ttlMs: ttl.ms,
    graceMs,
    version,
    find,
    keyFields: Object.freeze(keyFields),
    hashTag,
    schema,
    fieldIndexes,
    target: input.target,
  });
}

/** The field indexes of an entity, each on an existing, indexable, non-key field named once. */
function checkFieldIndexes(
  name: string,
  indexNames: readonly string[],
  shape: Record<string, z.ZodType>,
  keyNames: ReadonlySet<string>,
): readonly FieldIndexMetadata[] {
  if (!Array.isArray(indexNames)) fail(name, `Entity "${name}" has indexes that are not an array. List field names, e.g. indexes: ['email', 'age'].`);
  const seen = new Set<string>();
  const out = indexNames.map((field): FieldIndexMetadata => {
    if (typeof field !== 'string' || !Object.prototype.hasOwnProperty.call(shape, field)) {
      fail(name, `Entity "${name}" indexes ${JSON.stringify(field)}, which is not a field of its schema. Valid fields: ${Object.keys(shape).join(', ')}.`);
    }
    if (seen.has(field)) fail(name, `Entity "${name}" indexes field "${field}" twice. List each indexed field once.`);
    seen.add(field);
    if (keyNames.has(field)) {
      fail(name, `Entity "${name}" indexes its key field "${field}". Key fields need no field index (find reads them from the key); remove it from the indexes.`);
    }
    const kind = fieldIndexKindOf(shape[field]!);
    if (kind === undefined) {
      fail(
        name,
        `Field "${field}" of entity "${name}" has a ${schemaTypeName(shape[field]!)} schema, which cannot be indexed. Field indexes take ${INDEXABLE_TYPES}; remove the index, or index a scalar field derived from it.`,
      );
    }
    return Object.freeze({ name: field, kind, required: alwaysValued(shape[field]!), distinct: distinctValues(shape[field]!) });
  });
  return Object.freeze(out);
}

/** The `grace` option in ms (`0` when absent); fails the definition for a bad value or with `ttl: 'never'`. */
function entityGrace(name: string, grace: unknown, ttlMs: number | null): number {
  if (grace === undefined) return 0;
  const parsed = grace === 'never' ? { error: "'never' is not a grace period" } : parseTtl(grace);
  if ('error' in parsed || parsed.ms === null) {
    fail(name, `Entity "${name}" has the invalid grace ${JSON.stringify(grace)}. Use a positive number of ms or a duration such as '30s' or '10m'.`);
  }
  if (ttlMs === null) {
    fail(name, `Entity "${name}" has a grace period but ttl: 'never', so its entries never become stale. Give it a TTL, or remove grace.`);
  }
  return parsed.ms;
}

/**
 * The entity registry, shared by every copy of cacheorm in the process: the ESM and CommonJS builds
 * (the dual package hazard) both find it on `globalThis` under one `Symbol.for` key, so an entity
 * declared through one build works with a cache created by the other. The `v1` in the key is the
 * format of {@link EntityMetadata}: a copy writing another format uses another registry.
 */
const REGISTRY_KEY = Symbol.for('cacheorm.entities.v1');
const registry: WeakMap<object, EntityMetadata> = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= new WeakMap()) as WeakMap<
  object,
  EntityMetadata
>;

/** Attaches metadata to an entity class or definition object. @internal */
export function registerEntity(target: object, metadata: EntityMetadata): void {
  registry.set(target, metadata);
}

/** The metadata of a decorated class or a `defineEntity` result; `undefined` when it is neither. */
export function findEntityMetadata(target: unknown): EntityMetadata | undefined {
  return (typeof target === 'function' || (typeof target === 'object' && target !== null))
    ? registry.get(target)
    : undefined;
}

/** How to name what was passed instead of an entity, and what to do about it. */
function notAnEntity(target: unknown): string {
  if (typeof target === 'function') {
    return `class ${target.name || '(anonymous)'} is not a cache entity. Decorate the class with @CacheEntity({ name, ttl }) and its fields with @Key/@Field (each class passed to getRepository needs its own @CacheEntity), or declare the entity with defineEntity({...}).`;
  }
  if (typeof target === 'object' && target !== null) {
    const name = (target as { name?: unknown }).name;
    const label = typeof name === 'string' ? `The object ${JSON.stringify(name)}` : 'The object passed';
    return `${label} is not a cache entity. Pass the value defineEntity({...}) returned (not a copy of it), or a class decorated with @CacheEntity({ name, ttl }).`;
  }
  return `${target === null ? 'null' : typeof target} is not a cache entity. Pass a class decorated with @CacheEntity({ name, ttl }) or the value defineEntity({...}) returned.`;
}

/**
 * The run-time description of an entity (a `@CacheEntity` class or a `defineEntity` result). Throws an
 * {@link EntityDefinitionError} that says what to do for anything else.
 *
 * @example
 * const meta = getEntityMetadata(Session);
 * meta.name;                            // 'session'
 * meta.keyFields.map((f) => f.name);    // ['tenantId', 'id']
 */
export function getEntityMetadata(target: unknown): EntityMetadata {
  const meta = findEntityMetadata(target);
  if (meta) return meta;
  throw new EntityDefinitionError(notAnEntity(target));
}
