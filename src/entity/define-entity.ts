/** `defineEntity`: the decorator-free way to declare an entity, with types inferred from zod. */
import { z } from 'zod';
import { EntityDefinitionError } from '../errors/index.js';
import { buildEntityMetadata, registerEntity } from './metadata.js';
import type { EntityOptions, FindStrategy } from './metadata.js';
import type { Ttl } from './ttl.js';
import type { EntityDefinition } from './types.js';

/**
 * The options of {@link defineEntity}: the {@link EntityOptions} plus the zod object schema and the key
 * fields, in key order.
 *
 * @example
 * const options = {
 *   name: 'session',
 *   key: ['tenantId', 'id'],
 *   schema: z.object({ tenantId: z.string(), id: z.uuid(), email: z.email() }),
 *   ttl: '30m',
 * } as const;
 * const Session = defineEntity(options);
 */
export interface DefineEntityOptions<S extends z.ZodObject, K extends readonly (keyof z.output<S> & string)[]> {
  /** Entity name, the second segment of every key. */
  name: string;
  /** Key fields, in key order; each must be a required string, number, bigint or boolean field. */
  key: K;
  /** The entity's zod object schema. */
  schema: S;
  /** Time to live: ms, `'30s'`, `'5m'`, `'1h'`, `'7d'`..., or `'never'`. */
  ttl: Ttl;
  /** Schema version, written as `v<version>` into every key. */
  version?: number;
  /** How `find` looks entities up: `'scan'` (default) or `'index'`. See docs/find.md. */
  find?: FindStrategy;
  /**
   * Redis Cluster: the leading key fields written as a `{...}` hash tag (`['tenantId']` gives
   * `app:session:{acme}:42`), so entities sharing their values share a slot. See docs/cluster.md.
   */
  hashTag?: readonly NoInfer<K[number]>[];
  /** Grace period after the TTL during which entries are kept as stale (see {@link EntityOptions.grace}). */
  grace?: Exclude<Ttl, 'never'>;
  /** Whether a near cache keeps this entity's entries (see {@link EntityOptions.nearCache}); default `true`. */
  nearCache?: boolean;
  /**
   * Non-key fields to keep a field index on, so `find` reads only the matching entities (equality,
   * `oneOf`, ranges, `orderBy`): string, number, bigint, boolean, enum and Date fields. Turns the key
   * index on (`find: 'index'`). See docs/find.md, "Field indexes".
   */
  indexes?: readonly NoInfer<Exclude<keyof z.output<S> & string, K[number]>>[];
}

/**
 * The options `defineEntity` takes on top of the {@link EntityOptions} (unknown options are checked
 * against both lists). A new `defineEntity` option must be added here, or this stops compiling. @internal
 */
export const DEFINE_ENTITY_OPTION_NAMES: readonly string[] = Object.freeze(
  Object.keys({ key: true, schema: true, indexes: true } satisfies {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [K in Exclude<keyof DefineEntityOptions<any, any>, keyof EntityOptions>]-?: true;
  }),
);

/**
 * Declares an entity from a zod object schema. Types are inferred: the repository's entity type is the
 * schema's output and its key type is exactly the listed key fields.
 *
 * @example
 * const Session = defineEntity({
 *   name: 'session',
 *   key: ['tenantId', 'id'],
 *   schema: z.object({ tenantId: z.string(), id: z.uuid(), email: z.email(), lastSeen: z.date() }),
 *   ttl: '30m',
 *   indexes: ['email'], // optional: find({ email }) reads only the matching sessions
 * });
 * const sessions = cache.getRepository(Session); // Repository<{ tenantId: string; ... }, 'tenantId' | 'id'>
 */
export function defineEntity<
  S extends z.ZodObject,
  const K extends readonly [keyof z.output<S> & string, ...(keyof z.output<S> & string)[]],
>(options: DefineEntityOptions<S, K>): EntityDefinition<z.output<S>, K[number], S> {
  const schema: unknown = options?.schema;
  if (!(schema instanceof z.ZodObject)) {
    throw new EntityDefinitionError(
      `defineEntity(${JSON.stringify(options?.name)}) needs schema: z.object({...}) describing every field.`,
      typeof options?.name === 'string' ? { entity: options.name } : {},
    );
  }
  const key: unknown = options.key;
  if (!Array.isArray(key) || key.some((k) => typeof k !== 'string')) {
    throw new EntityDefinitionError(
      `defineEntity(${JSON.stringify(options.name)}) needs key: an array of field names, e.g. key: ['tenantId', 'id'].`,
      typeof options.name === 'string' ? { entity: options.name } : {},
    );
  }
  const metadata = buildEntityMetadata({
    options,
    keyNames: key as string[],
    schema,
    what: 'defineEntity',
    extraOptions: DEFINE_ENTITY_OPTION_NAMES,
    ...(options.indexes === undefined ? {} : { indexNames: options.indexes as readonly string[] }),
  });
  const definition: EntityDefinition<z.output<S>, K[number], S> = Object.freeze({
    name: metadata.name,
    key: Object.freeze([...options.key]) as readonly K[number][],
    schema: options.schema,
  });
  registerEntity(definition, metadata);
  return definition;
}
