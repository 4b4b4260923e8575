/**
 * KeyCodec: an entity's key fields ⇄ its Redis keys.
 *
 * Layout: `<prefix>:<entity>[~v<version>]:<part 1>:...:<part N>`. The prefix is one segment and
 * entity names never contain `~`, so the first two segments tell every cache and entity version apart
 * (see docs/keys.md, "Why prefixes are one segment"). The layout lives in one place, the
 * `glue` strings computed by {@link KeyCodec}'s constructor: a key is
 * `glue[0] + part1 + glue[1] + ... + partN + glue[N]`. A hash tag only changes the glue (e.g.
 * `['cache:session:{', '}:', '']` for `cache:session:{acme}:<id>`, see `hash-tag.ts`), since parts never
 * contain `:`, `{` or `}`.
 */
import { ConfigError, EntityDefinitionError, InvalidKeyError } from '../errors/index.js';
import { ENTITY_NAME_RULE, entityBase } from './entity-base.js';
import { checkHashTag, keyGlue } from './hash-tag.js';
import { decodeFieldPart, encodeDataValue, encodeFieldValue, type FieldOwner, type KeyFieldSpec, rewriteFieldValue } from './key-field.js';
import type { KeyScalar } from './part.js';

export type { KeyFieldSpec } from './key-field.js';

/**
 * Options of {@link KeyCodec}.
 *
 * @example
 * const options: KeyCodecOptions = {
 *   prefix: 'myapp',
 *   entity: 'session',
 *   version: 2, // keys look like 'myapp:session~v2:<tenantId>:<id>'
 *   fields: [{ name: 'tenantId', kind: 'string' }, { name: 'id', kind: 'string' }],
 * };
 */
export interface KeyCodecOptions {
  /** Key prefix: one segment of `[A-Za-z0-9._~-]` (no `:`), e.g. `cache` or `myapp.cache`. */
  prefix: string;
  /** Entity name: a letter, then up to 99 letters, digits, `_`, `.` or `-`. */
  entity: string;
  /** Schema version: a positive safe integer; appends `~v<version>` to the entity segment. */
  version?: number;
  /** The key fields, in key order (at least one). */
  fields: readonly KeyFieldSpec[];
  /**
   * The leading key fields written inside one `{...}` hash tag, so that keys sharing their values share a
   * Redis Cluster slot: `['tenantId']` gives `cache:session:{acme}:42`. Default: none.
   */
  hashTag?: readonly string[];
}

const PREFIX_RULE = /^[A-Za-z0-9._~-]+$/;
export { ENTITY_NAME_RULE };

/**
 * Throws {@link ConfigError} unless `prefix` is one segment of letters, digits, `.`, `_`, `~` or `-`: it
 * can never widen a SCAN pattern, and, having no `:`, never nests in another cache's prefix (with
 * prefixes `app` and `app:user`, `app:user:settings:42` would be both B's `settings` 42 and A's `user`
 * keyed `(settings, 42)`, and A would read, return and delete it).
 *
 * @example
 * assertPrefix('myapp.cache'); // ok
 * assertPrefix('myapp:cache'); // ConfigError: ... must not contain ":" ...
 * assertPrefix('my app');      // ConfigError
 */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix === 'string' && PREFIX_RULE.test(prefix)) return;
  if (typeof prefix === 'string' && PREFIX_RULE.test(prefix.replaceAll(':', '.'))) {
    throw new ConfigError(
      `The prefix ${JSON.stringify(prefix)} must not contain ":": a prefix with ":" can nest in another cache's ` +
        `prefix on the same Redis, and the two caches would then read and delete each other's entries. ` +
        `Join its parts with ".", "-" or "_" instead, e.g. ${JSON.stringify(prefix.replaceAll(':', '.'))} or ${JSON.stringify(prefix.replaceAll(':', '-'))} ` +
        '(renaming the prefix starts with an empty cache).',
    );
  }
  throw new ConfigError(
    `The prefix ${JSON.stringify(prefix)} is not valid. Use one segment of letters, digits, ".", "_", "~" or "-" ` +
      '(for example "cache" or "myapp.cache"; no ":").',
  );
}
const KINDS: ReadonlySet<string> = new Set(['string', 'number', 'bigint', 'boolean']);

/**
 * Turns key-field values into Redis keys and Redis keys back into key-field values.
 *
 * @example
 * const codec = new KeyCodec({
 *   prefix: 'cache',
 *   entity: 'session',
 *   fields: [{ name: 'tenantId', kind: 'string' }, { name: 'id', kind: 'string' }],
 * });
 * codec.encode({ tenantId: 'acme', id: 'a:1' }); // 'cache:session:acme:a%3A1'
 * codec.decode('cache:session:acme:a%3A1');       // { tenantId: 'acme', id: 'a:1' }
 * codec.decode('cache:user:acme:x');              // undefined
 */
export class KeyCodec {
  /** The key prefix, as given. */
  readonly prefix: string;
  /** The entity name, as given. */
  readonly entity: string;
  /** The schema version, when one is set. */
  readonly version: number | undefined;
  /** Key field names, in key order. */
  readonly fieldNames: readonly string[];
  /** The literal start of every key of this entity, `prefix:entity[~vN]:` (use `base + '*'` to SCAN). */
  readonly base: string;
  /** The hash-tag fields (the leading key fields written inside `{...}`); empty when the entity has none. */
  readonly hashTag: readonly string[];

  private readonly fields: readonly KeyFieldSpec[];
  private readonly byName: ReadonlyMap<string, KeyFieldSpec>;
  /** `glue[i]` is written before part `i`; `glue[N]` after the last part. `glue[0]` is `base` (+ `{` with a hash tag). */
  private readonly glue: readonly string[];
  private readonly fieldList: string;
  /** Entity name and field list, for the field-level coding's error messages. */
  private readonly owner: FieldOwner;

  constructor(options: KeyCodecOptions) {
    const { prefix, entity, version, fields } = options;
    assertPrefix(prefix);
    if (typeof entity !== 'string' || !ENTITY_NAME_RULE.test(entity)) {
      throw new EntityDefinitionError(
        `The entity name ${JSON.stringify(entity)} is not valid. Use 1 to 100 characters: a letter first, ` +
          'then letters, digits, "_", "." or "-" (for example "session" or "user-profile").',
      );
    }
    if (version !== undefined && !(Number.isSafeInteger(version) && version > 0)) {
      throw new EntityDefinitionError(
        `Entity "${entity}" has version ${String(version)}. Use a positive integer (1, 2, ...) or leave version out.`,
        { entity },
      );
    }
    if (!Array.isArray(fields) || fields.length === 0) {
      throw new EntityDefinitionError(
        `Entity "${entity}" has no key field. Declare at least one key field (a string, number, bigint or boolean).`,
        { entity },
      );
    }
    const seen = new Set<string>();
    for (const field of fields as readonly KeyFieldSpec[]) {
      const name: unknown = field?.name;
      if (typeof name !== 'string' || name === '' || name === '__proto__') {
        throw new EntityDefinitionError(
          `Entity "${entity}" has a key field named ${JSON.stringify(name)}. Give every key field a non-empty ` +
            'property name (not "__proto__").',
          { entity },
        );
      }
      if (seen.has(name)) {
        throw new EntityDefinitionError(
          `Entity "${entity}" lists key field "${name}" twice. List each key field once.`,
          { entity },
        );
      }
      if (!KINDS.has(field.kind)) {
        throw new EntityDefinitionError(
          `Key field "${name}" of entity "${entity}" has kind ${JSON.stringify(field.kind)}. ` +
            'Use "string", "number", "bigint" or "boolean".',
          { entity },
        );
      }
      seen.add(name);
    }

    this.prefix = prefix;
    this.entity = entity;
    this.version = version;
    this.fields = fields.map((f) => ({ ...f }));
    this.byName = new Map(this.fields.map((f) => [f.name, f]));
    this.fieldNames = this.fields.map((f) => f.name);
    this.fieldList = this.fieldNames.join(', ');
    this.owner = { entity, fieldList: this.fieldList };
    this.hashTag = checkHashTag(entity, this.fieldNames, options.hashTag);
    // The version joins the entity segment (`session~v2`, see entity-base.ts): entity names and prefixes have
    // no `~`/`:` there, so no key of an unversioned entity (whose first part may well be `v2`) can be a versioned key.
    this.base = entityBase(prefix, entity, version);
    // The one place the key layout is defined: the strings written around the N parts.
    this.glue = keyGlue(this.base, this.fields.length, this.hashTag.length);
  }

  /**
   * The Redis key of the entity whose key fields are in `values`. Extra properties are ignored, so a
   * whole entity can be passed. Throws `InvalidKeyError` when a key field is missing (`undefined` or
   * `null`), has the wrong type, is not a finite number, holds a lone surrogate, or fails its schema.
   *
   * @example
   * codec.encode({ tenantId: 'acme', id: '42', email: 'x@y.z' }); // 'cache:session:acme:42'
   */
  encode(values: Record<string, unknown>): string {
    if (values === null || typeof values !== 'object') {
      throw new InvalidKeyError(
        `A key of entity "${this.entity}" must be an object with the key fields (${this.fieldList}), ` +
          `got ${values === null ? 'null' : typeof values}.`,
        { entity: this.entity },
      );
    }
    const { fields, glue } = this;
    let key = glue[0]!;
    for (let i = 0; i < fields.length; i++) {
      key += encodeFieldValue(this.owner, fields[i]!, values[fields[i]!.name]) + glue[i + 1]!;
    }
    return key;
  }

  /**
   * The Redis key of entity data that already is its schema's output (a validated entity, or a stored
   * value read back): key fields are written as they are, without running their schemas again. Throws
   * `InvalidKeyError` like {@link encode} for a missing or mistyped key field. This is the one way the
   * key of an entity is derived from the entity: on writes, and to check that a stored value or a
   * loaded one belongs to the key it was found under.
   *
   * @example
   * codec.encodeData({ tenantId: 'acme', id: '42', email: 'x@y.z' }); // 'cache:session:acme:42'
   */
  encodeData(values: Record<string, unknown>): string {
    const { fields, glue } = this;
    let key = glue[0]!;
    for (let i = 0; i < fields.length; i++) {
      key += encodeDataValue(this.owner, fields[i]!, values[fields[i]!.name]) + glue[i + 1]!;
    }
    return key;
  }

  /**
   * Joins already-encoded parts (or glob fragments such as `*`) in key order, e.g. for a SCAN pattern.
   * The caller is responsible for the parts: use {@link encodeLiteral} for values.
   *
   * @example
   * codec.assemble([codec.encodeLiteral('tenantId', 'acme'), '*']); // 'cache:session:acme:*'
   */
  assemble(parts: readonly string[]): string {
    if (parts.length !== this.fields.length) {
      throw new InvalidKeyError(
        `A key of entity "${this.entity}" has ${this.fields.length} parts (${this.fieldList}), got ${parts.length}.`,
        { entity: this.entity },
      );
    }
    let key = this.glue[0]!;
    for (let i = 0; i < parts.length; i++) key += parts[i]! + this.glue[i + 1]!;
    return key;
  }

  /**
   * The encoded key part of one key field's value (for building glob patterns). Throws
   * `InvalidKeyError` for an unknown field or a value `encode` would reject.
   *
   * @example
   * codec.encodeLiteral('tenantId', '*'); // '%2A' — matches only the tenant named '*'
   */
  encodeLiteral(field: string, value: unknown): string {
    const spec = this.byName.get(field);
    if (spec === undefined) {
      throw new InvalidKeyError(
        `Entity "${this.entity}" has no key field "${field}". Its key fields are: ${this.fieldList}.`,
        { entity: this.entity, field },
      );
    }
    return encodeFieldValue(this.owner, spec, value);
  }

  /**
   * The key-field values of a Redis key of this entity, or `undefined` when the key is not one: it
   * must start with `base`, have exactly one part per key field, and every part must be canonically
   * encoded, be the canonical text of its kind and pass the field's schema. Never throws.
   *
   * @example
   * codec.decode('cache:session:acme:42');    // { tenantId: 'acme', id: '42' }
   * codec.decode('cache:session:acme:42:x');  // undefined (wrong part count)
   */
  decode(redisKey: string): Record<string, KeyScalar> | undefined {
    const { fields, glue } = this;
    if (typeof redisKey !== 'string' || !redisKey.startsWith(glue[0]!)) return undefined;
    const last = fields.length - 1;
    const tail = glue[last + 1]!;
    if (!redisKey.endsWith(tail)) return undefined;
    const out: Record<string, KeyScalar> = {};
    let pos = glue[0]!.length;
    for (let i = 0; i <= last; i++) {
      const field = fields[i]!;
      const after = glue[i + 1]!;
      const end = i < last ? redisKey.indexOf(after, pos) : redisKey.length - tail.length;
      if (end < pos) return undefined;
      const value = decodeFieldPart(field, redisKey.slice(pos, end));
      if (value === undefined) return undefined;
      out[field.name] = value;
      pos = end + after.length;
    }
    return out;
  }

  /**
   * The value a key field's `value` is written as: the schema's output for a field whose schema
   * rewrites (`' ACME'` → `'acme'` for `z.string().trim().toLowerCase()`), else `value` itself. Throws
   * `InvalidKeyError` like {@link encodeLiteral}.
   *
   * @example
   * codec.keyValue('tenantId', ' ACME'); // 'acme'
   */
  keyValue(field: string, value: unknown): unknown {
    const spec = this.byName.get(field);
    if (spec === undefined || !spec.rewrites || spec.schema === undefined) {
      this.encodeLiteral(field, value);
      return value;
    }
    return rewriteFieldValue(this.owner, spec, value);
  }
}
