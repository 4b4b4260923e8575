/**
 * cacheorm: typed, ORM-style cache repositories on Redis.
 *
 * @example
 * import 'reflect-metadata';
 * import { z } from 'zod';
 * import { CacheEntity, Key, Field, createCache } from 'cacheorm';
 *
 * @CacheEntity({ name: 'session', ttl: '30m' })
 * class Session {
 *   @Key(z.string()) tenantId!: string;
 *   @Key(z.uuid()) id!: string;
 *   @Field(z.email()) email!: string;
 * }
 *
 * const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'app' });
 * await cache.getRepository(Session).save({ tenantId: 'acme', id: crypto.randomUUID(), email: 'a@acme.test' });
 *
 * @packageDocumentation
 * @module cacheorm
 */
export {
  Cache,
  createCache,
  type CacheEventMap,
  type CacheOptions,
  type CacheStats,
  type CloseOptions,
  type InvalidEntryEvent,
  type NearCacheOptions,
  type RefreshEvent,
  type StaleEvent,
} from './cache/index.js';
export {
  CacheEntity,
  CacheKeys,
  defineEntity,
  Field,
  getEntityMetadata,
  Key,
  type DeclaredKeyOf,
  type DefineEntityOptions,
  type EntityClass,
  type EntityClassDecorator,
  type EntityData,
  type EntityInput,
  type EntityDefinition,
  type EntityFieldDecorator,
  type EntityKey,
  type EntityMetadata,
  type EntityOf,
  type EntityOptions,
  type EntityTarget,
  type FieldIndexKind,
  type FieldIndexMetadata,
  type FieldOptions,
  type FindStrategy,
  type KeyFieldMetadata,
  type KeyKind,
  type Ttl,
} from './entity/index.js';
export {
  CacheOrmError,
  ConfigError,
  DecodeError,
  EntityDefinitionError,
  InvalidKeyError,
  InvalidQueryError,
  LoaderTimeoutError,
  StoreError,
  StoreUnavailableError,
  ValidationError,
  ValueTooLargeError,
  type CacheOrmErrorCode,
  type CacheOrmErrorContext,
} from './errors/index.js';
export {
  between,
  contains,
  explainPlan,
  gt,
  gte,
  isMatcher,
  lt,
  lte,
  MAX_IN_MEMORY_ORDER,
  oneOf,
  prefix,
  Query,
  suffix,
  valueEquals,
  type Condition,
  type FieldProbe,
  type FieldRange,
  type FindOptions,
  type OneOf,
  type OrderableField,
  type OrderBy,
  type OrderDirection,
  type Pattern,
  type PlanOrder,
  type QueryPlan,
  type Range,
  type RangeBound,
  type RangeOf,
  type RangeOp,
  type RangeType,
  type RangeValue,
  type ResultStream,
  type StringMatcher,
} from './query/index.js';
export { DEFAULT_CACHE_NAME, getCacheToken, getRepositoryToken, type RepositoryOf, type Token } from './injection/index.js';
export {
  Repository,
  type FreshnessOptions,
  type GetOrLoadOptions,
  type Loader,
  type LockOptions,
  type ReadOptions,
  type WriteMode,
  type WriteOptions,
} from './repository/index.js';
export {
  CHANNELS,
  type ConnectionMessage,
  type LockMessage,
  type NearCacheMessage,
  type RepositoryTraceContext,
  type StoreTraceContext,
} from './diagnostics/index.js';
export {
  compileGlob,
  DEFAULT_COMMAND_TIMEOUT_MS,
  MemoryStore,
  RedisStore,
  StoreDecorator,
  StoreTimeoutError,
  TimeoutStore,
  TracingStore,
  type Durability,
  type IndexOption,
  type FieldBound,
  type FieldHit,
  type FieldScanOptions,
  type FieldSyncEntry,
  type IndexScanOptions,
  type MemoryStoreOptions,
  type NearCacheStats,
  type RedisClusterConfig,
  type RedisStoreOptions,
  type ScanOptions,
  type Store,
  type StoreCall,
  type StoreCommand,
  type TimeoutStoreOptions,
  type WriteOp,
} from './store/index.js';
