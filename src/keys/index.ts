/**
 * Keys: key-field values ⇄ Redis keys, `<prefix>:<entity>[~v<version>]:<part 1>:...:<part N>`.
 * See docs/keys.md for the format and the encoding rule.
 */
export { assertPrefix, ENTITY_NAME_RULE, KeyCodec, type KeyCodecOptions, type KeyFieldSpec } from './key-codec.js';
export { decodePart, encodePart, type KeyScalar, type KeyScalarKind } from './part.js';
export { entityBase, parseEntityBase, type ParsedEntityBase } from './entity-base.js';
