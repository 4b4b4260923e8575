export { CacheEntity, Field, Key, type EntityClassDecorator, type EntityFieldDecorator, type FieldOptions } from './decorators.js';
export { type FieldIndexKind, type FieldIndexMetadata } from './field-index.js';
export { defineEntity, type DefineEntityOptions } from './define-entity.js';
export { type KeyKind } from './key-kind.js';
export {
  findEntityMetadata,
  getEntityMetadata,
  type EntityMetadata,
  type EntityOptions,
  type FindStrategy,
  type KeyFieldMetadata,
} from './metadata.js';
export { parseTtl, TTL_FORMS, type Ttl } from './ttl.js';
export {
  CacheKeys,
  type DeclaredKeyOf,
  type EntityClass,
  type EntityData,
  type EntityInput,
  type EntityDefinition,
  type EntityKey,
  type EntityOf,
  type EntityTarget,
} from './types.js';
