/**
 * `@CacheEntity`, `@Key` and `@Field`: entity declaration with decorators.
 *
 * They work under both decorator systems, detected at run time from the arguments they receive:
 * - TypeScript's `experimentalDecorators` (legacy): field lists are kept with reflect-metadata on the
 *   class (`Reflect.getMetadata('cacheorm:fields', Class)`);
 * - TC39 standard decorators (no flag): field lists are kept in the class's decorator metadata
 *   (`Symbol.metadata`, polyfilled with `Symbol.for('Symbol.metadata')` where the runtime lacks it,
 *   which is what TypeScript and esbuild look up).
 * Nothing relies on `emitDecoratorMetadata`: every field names its zod schema.
 */
import 'reflect-metadata';
import { z } from 'zod';
import { EntityDefinitionError } from '../errors/index.js';
import { unknownNames, unknownOptionMessage } from '../errors/suggest.js';
import { buildEntityMetadata, registerEntity, type EntityOptions } from './metadata.js';

// Decorator metadata for TC39 decorators: Node 20 has no Symbol.metadata, and the compilers' helpers
// only create `context.metadata` when it exists, so provide it the way TypeScript and esbuild expect.
(Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

const FIELDS = Symbol.for('cacheorm:fields');
const LEGACY_FIELDS = 'cacheorm:fields';

interface DeclaredField {
  readonly name: string;
  readonly schema: z.ZodType;
  readonly key: boolean;
  /** Keeps a field index (`@Field(schema, { index: true })`). */
  readonly index?: boolean;
  /** Declared on this class (true) or inherited from a parent entity class (false). */
  readonly own: boolean;
}

type Ctor = abstract new (...args: never[]) => unknown;

/**
 * A field decorator usable under both `experimentalDecorators` and TC39 decorators: what {@link Key}
 * and {@link Field} answer.
 *
 * @example
 * const email: EntityFieldDecorator<string> = Field(z.email());
 * class User { @email address!: string; }
 */
export interface EntityFieldDecorator<T> {
  /** TC39 standard decorator form. */
  <This>(value: undefined, context: ClassFieldDecoratorContext<This, T>): void;
  /** `experimentalDecorators` form. */
  (target: object, propertyKey: string | symbol): void;
}

/**
 * A class decorator usable under both `experimentalDecorators` and TC39 decorators: what
 * {@link CacheEntity} answers.
 *
 * @example
 * ```ts
 * const sessionEntity: EntityClassDecorator = CacheEntity({ name: 'session', ttl: '30m' });
 * @sessionEntity
 * class Session { ... }
 * ```
 */
export interface EntityClassDecorator {
  /** TC39 standard decorator form. */
  <C extends Ctor>(target: C, context: ClassDecoratorContext<C>): void;
  /** `experimentalDecorators` form. */
  <C extends Ctor>(target: C): void;
}

function isTc39Context(x: unknown): x is DecoratorContext {
  return typeof x === 'object' && x !== null && 'kind' in x;
}

function assertZodSchema(schema: unknown, decorator: string): asserts schema is z.ZodType {
  if (!(schema instanceof z.ZodType) && !(typeof schema === 'object' && schema !== null && '_zod' in schema)) {
    throw new EntityDefinitionError(
      `${decorator} needs a zod schema, e.g. ${decorator}(z.string()). cacheorm does not read emitDecoratorMetadata types.`,
    );
  }
}

/** Adds a field to a class's own list; a subclass may redeclare an inherited field, not its own twice. */
function addField(list: readonly DeclaredField[], field: DeclaredField, decorator: string): DeclaredField[] {
  if (list.some((f) => f.name === field.name && f.own)) {
    throw new EntityDefinitionError(
      `Field "${field.name}" is decorated twice (${decorator} and another @Key/@Field). Use one decorator per field.`,
    );
  }
  return [...list.filter((f) => f.name !== field.name), field];
}

/** The list to extend for a class: its own one, or a copy of its parent's marked as inherited. */
function ownList(ownFields: DeclaredField[] | undefined, inherited: DeclaredField[] | undefined): DeclaredField[] {
  return ownFields ?? (inherited ?? []).map((f) => ({ ...f, own: false }));
}

/**
 * Options of {@link Field}.
 *
 * @example
 * const options: FieldOptions = { index: true };
 * class User { @Field(z.email(), options) email!: string; }
 */
export interface FieldOptions {
  /**
   * Keep a field index on this field, so `find` reads only the entities with the wanted value or range
   * (string, number, bigint, boolean, enum and Date fields, optional ones too). Turns the entity's key
   * index on (`find: 'index'`). See docs/find.md, "Field indexes".
   */
  index?: boolean;
}

/**
 * The names of {@link FieldOptions}, the list unknown `@Field` options are checked against. A new option
 * must be added here, or this stops compiling. @internal
 */
export const FIELD_OPTION_NAMES: readonly string[] = Object.freeze(
  Object.keys({ index: true } satisfies { [K in keyof Required<FieldOptions>]: true }),
);

function checkFieldOptions(options: unknown): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object') {
    throw new EntityDefinitionError(`@Field takes an options object as its second argument, e.g. @Field(z.email(), { index: true }).`);
  }
  const unknown = unknownNames(options as Record<string, unknown>, FIELD_OPTION_NAMES);
  if (unknown.length > 0) throw new EntityDefinitionError(unknownOptionMessage('@Field', unknown[0]!, FIELD_OPTION_NAMES));
  const index = (options as FieldOptions).index;
  if (index !== undefined && typeof index !== 'boolean') {
    throw new EntityDefinitionError(`@Field's index option is ${JSON.stringify(index)}. Use index: true to keep a field index, or leave it out.`);
  }
  return index === true;
}

function fieldDecorator<S extends z.ZodType>(schema: S, key: boolean, index = false): EntityFieldDecorator<z.output<S>> {
  const decorator = key ? '@Key' : '@Field';
  assertZodSchema(schema, decorator);
  return ((target: unknown, context: unknown, descriptor?: unknown): void => {
    if (isTc39Context(context)) {
      if (context.kind !== 'field' || context.static || context.private || typeof context.name !== 'string') {
        throw new EntityDefinitionError(
          `${decorator} decorates public instance fields with string names; it was applied to ${context.kind === 'field' ? 'a static, private or symbol-named field' : `a ${context.kind}`} ${String(context.name)}.`,
        );
      }
      const metadata = context.metadata as Record<symbol, unknown> | undefined;
      if (!metadata) {
        throw new EntityDefinitionError(
          `${decorator} found no decorator metadata on field "${context.name}". Import cacheorm before declaring entities, or enable experimentalDecorators.`,
        );
      }
      // context.metadata inherits from the parent class's: copy before writing, never mutate the parent's list.
      const list = ownList(
        Object.prototype.hasOwnProperty.call(metadata, FIELDS) ? (metadata[FIELDS] as DeclaredField[]) : undefined,
        metadata[FIELDS] as DeclaredField[] | undefined,
      );
      metadata[FIELDS] = addField(list, { name: context.name, schema, key, ...(index ? { index } : {}), own: true }, decorator);
      return;
    }
    if (descriptor !== undefined) {
      throw new EntityDefinitionError(
        `${decorator} decorates fields; it was applied to the method or accessor ${String(context)}. Decorate a field instead.`,
      );
    }
    if (typeof target === 'function' || typeof context !== 'string') {
      throw new EntityDefinitionError(
        `${decorator} decorates instance fields with string names; it was applied to ${typeof target === 'function' ? 'a static member' : `the symbol ${String(context)}`}.`,
      );
    }
    const ctor = (target as { constructor: Ctor }).constructor;
    const list = ownList(
      Reflect.getOwnMetadata(LEGACY_FIELDS, ctor) as DeclaredField[] | undefined,
      Reflect.getMetadata(LEGACY_FIELDS, ctor) as DeclaredField[] | undefined,
    );
    Reflect.defineMetadata(LEGACY_FIELDS, addField(list, { name: context, schema, key, ...(index ? { index } : {}), own: true }, decorator), ctor);
  }) as EntityFieldDecorator<z.output<S>>;
}

/**
 * Marks a field as part of the entity's key. Key parts follow declaration order. The schema must be a
 * required string, number, bigint or boolean schema (`z.string()`, `z.uuid()`, `z.int()`, `z.enum`...).
 *
 * @example
 * @CacheEntity({ name: 'session', ttl: '30m' })
 * class Session {
 *   @Key(z.string()) tenantId!: string;
 *   @Key(z.uuid()) id!: string;
 * }
 */
export function Key<S extends z.ZodType>(schema: S): EntityFieldDecorator<z.output<S>> {
  return fieldDecorator(schema, true);
}

/**
 * Declares a stored (non-key) field with its zod schema. Fields without `@Key`/`@Field` are not stored.
 * With `{ index: true }`, the field gets a field index (see {@link FieldOptions}).
 *
 * @example
 * @CacheEntity({ name: 'session', ttl: '30m' })
 * class Session {
 *   @Key(z.uuid()) id!: string;
 *   @Field(z.email(), { index: true }) email!: string;
 *   @Field(z.date()) lastSeen!: Date;
 * }
 */
export function Field<S extends z.ZodType>(schema: S, options?: FieldOptions): EntityFieldDecorator<z.output<S>> {
  return fieldDecorator(schema, false, checkFieldOptions(options));
}

/**
 * Declares a class as a cache entity: its name (second key segment), TTL and optional version.
 * Throws {@link EntityDefinitionError} when the declaration cannot work (no TTL, no key field, ...).
 *
 * @example
 * @CacheEntity({ name: 'session', ttl: '30m', version: 2 })
 * class Session {
 *   declare [CacheKeys]?: 'tenantId' | 'id'; // optional: lets get/delete type-check key objects
 *   @Key(z.string()) tenantId!: string;
 *   @Key(z.uuid()) id!: string;
 *   @Field(z.email()) email!: string;
 * }
 */
export function CacheEntity(options: EntityOptions): EntityClassDecorator {
  return ((target: Ctor, context?: unknown): void => {
    let fields: readonly DeclaredField[];
    if (isTc39Context(context)) {
      const metadata = context.metadata as Record<symbol, unknown> | undefined;
      fields = (metadata?.[FIELDS] as DeclaredField[] | undefined) ?? [];
    } else {
      fields = (Reflect.getMetadata(LEGACY_FIELDS, target) as DeclaredField[] | undefined) ?? [];
    }
    const schema = z.object(Object.fromEntries(fields.map((f) => [f.name, f.schema])));
    const metadata = buildEntityMetadata({
      options,
      keyNames: fields.filter((f) => f.key).map((f) => f.name),
      indexNames: fields.filter((f) => f.index === true).map((f) => f.name),
      schema,
      target,
      what: `@CacheEntity on class ${target.name || '(anonymous)'}`,
    });
    registerEntity(target, metadata);
  }) as EntityClassDecorator;
}
