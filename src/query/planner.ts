/**
 * The find planner: a runtime pattern → a {@link QueryPlan} (pure, no I/O). See docs/find.md.
 *
 * - Every key field literal → `GET`. Literals and `oneOf` only, product ≤ `maxMgetKeys` → `MGET`.
 * - Otherwise `SCAN MATCH <glob>` (or, for `find: 'index'` entities, `ZSCAN <index> MATCH <glob>`; with
 *   a hash tag, the index set of the tag when the pattern fixes it, else every tag's set, `perTag`).
 *   Each key part of the glob is: literal → its encoded part; `prefix(s)` → `enc(s)*`; `suffix(s)` →
 *   `*enc(s)`; `contains(s)` → `*enc(s)*`; `oneOf` (of several values), a range or no condition → `*`. Encoded
 *   parts hold no glob character, so user text can never widen the glob. Runs of wildcards across parts
 *   (`*:*`) are collapsed into one `*`: a superset of keys, cheaper for Redis' matcher, and exact anyway
 *   because the glob is only a pre-filter: `keyFilter` re-checks every key condition on the decoded key
 *   (the caller decodes, which also enforces the part count).
 * - Conditions on other fields become `valueFilter`, run on fetched values (conditions.ts compiles them).
 * - `orderBy` becomes `order` (order.ts): sorted in memory unless a plan streams in that order.
 */
import type { EntityMetadata } from '../entity/metadata.js';
import { InvalidQueryError } from '../errors/index.js';
import type { KeyCodec } from '../keys/index.js';
import { tryEncodePart, type KeyScalar } from '../keys/part.js';
import { combine, equalsPredicate, oneOfPredicate, toCondition, type Cond, type TextCondition } from './conditions.js';
import { isMatcher } from './matchers.js';
import { planOrder } from './order.js';
import { chooseFieldIndex, COST } from './field-plan.js';
import { mayHold, type HeldType } from './pattern.js';
import type { TaggedIndexSets } from './index-layout.js';
import type { OmitEach, PlanInput, QueryPlan } from './plan.js';

/** A key condition, with the encoded parts of its literal values (eq: one, in: deduplicated). */
type KeyCond = Cond & { parts?: string[] };

const DEFAULT_BATCH = 1000;
const DEFAULT_MAX_MGET = 1000;

/**
 * Validates a runtime pattern and plans it. Throws {@link InvalidQueryError} for an unknown field (naming
 * the valid ones), a malformed matcher, a string matcher on a non-string field, a range on a field that
 * holds no values of its bounds' type, a key-field literal its key codec rejects (wrong type, not
 * finite, fails the field's schema, `undefined`), or a malformed `orderBy`.
 *
 * @example
 * planFind({ metadata, keys, pattern: { tenantId: 'acme', id: 's1' } });          // { kind: 'get', key: 'cache:session:acme:s1', ... }
 * planFind({ metadata, keys, pattern: { tenantId: oneOf(['a', 'b']), id: 's1' } }); // { kind: 'mget', keys: [...2 keys], ... }
 * planFind({ metadata, keys, pattern: { tenantId: '*', email: contains('@x') } });  // { kind: 'scan', match: 'cache:session:%2A:*', residual: ['email contains "@x"'], ... }
 */
export function planFind(input: PlanInput): QueryPlan {
  const { metadata, keys, pattern } = input;
  const entity = metadata.name;
  const count = positiveInt(input.batchSize, DEFAULT_BATCH, 'batchSize', entity);
  const maxMget = positiveInt(input.maxMgetKeys, DEFAULT_MAX_MGET, 'maxMgetKeys', entity);
  if (metadata.find === 'index' && input.indexKey === undefined) {
    throw new TypeError(`planFind: entity "${entity}" uses find: 'index' but no indexKey was given.`);
  }
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern) || isMatcher(pattern)) {
    throw new InvalidQueryError(
      `find() on entity "${entity}" takes a pattern object such as { field: value }, got ${pattern === null ? 'null' : Array.isArray(pattern) ? 'an array' : typeof pattern}.`,
      { entity },
    );
  }

  const shape = metadata.schema.shape as Record<string, unknown>;
  const keyKinds = new Map(metadata.keyFields.map((f) => [f.name, f.kind]));
  // Key fields whose schema rewrites values (trim, toLowerCase, default...): literals are matched by
  // the value they are written as, so find({ tenantId: 'ACME' }) finds what save({ tenantId: 'ACME' }) wrote.
  const rewriting = new Set(metadata.keyFields.filter((f) => f.rewrites).map((f) => f.name));
  const keyConds = new Map<string, KeyCond>();
  const valueConds: Cond[] = [];
  let emptyReason: string | undefined;
  for (const field of Object.keys(pattern)) {
    if (!Object.prototype.hasOwnProperty.call(shape, field)) {
      throw new InvalidQueryError(
        `find() on entity "${entity}" names the field "${field}", which the entity does not have. Valid fields: ${Object.keys(shape).join(', ')}.`,
        { entity, field },
      );
    }
    const kind = keyKinds.get(field);
    const holds = kind === undefined ? (type: HeldType) => mayHold(shape[field], type) : (type: HeldType) => type === kind;
    const cond = toCondition(field, pattern[field], holds, entity);
    if (cond.kind === 'in' && cond.values.length === 0) emptyReason ??= `oneOf([]) on field "${field}" matches nothing.`;
    if (kind === undefined) {
      valueConds.push(cond);
    } else {
      keyConds.set(field, cond.kind === 'eq' || cond.kind === 'in' ? withParts(cond, keys, entity, rewriting.has(field)) : cond);
    }
  }

  const valueFilter = combine(valueConds, (c) => (e: Readonly<Record<string, unknown>>) => c.pred(e[c.field]));
  const residual = valueConds.map((c) => c.label);
  const ordered = metadata.keyFields.map((f) => keyConds.get(f.name));
  const keyConditions = ordered.flatMap((c) => (c ? [c.label] : []));
  const order = planOrder(input.orderBy, metadata);
  const common = { entity, count, valueFilter, residual, keysOnly: valueFilter === undefined, order, notes: [] as string[] };
  if (emptyReason !== undefined) {
    return finish({ kind: 'empty', reason: emptyReason, ...common, keyFilter: undefined, keyConditions, residual, valueFilter: undefined, keysOnly: true });
  }

  // GET / MGET: every key field has literal parts.
  if (ordered.every((c) => c?.parts !== undefined)) {
    const lists = ordered.map((c) => c!.parts!);
    const size = lists.reduce((n, list) => n * list.length, 1);
    if (size === 1) return finish({ kind: 'get', key: keys.assemble(lists.map((l) => l[0]!)), ...common, keyFilter: undefined, keyConditions });
    if (size <= maxMget) return finish({ kind: 'mget', keys: product(lists).map((p) => keys.assemble(p)), ...common, keyFilter: undefined, keyConditions });
    common.notes.push(`The MGET product would be ${size} keys, more than maxMgetKeys (${maxMget}); scanning instead.`);
  }

  const glob = keys.assemble(ordered.map(globPiece)).replace(/\*(?::?\*)+/g, '*');
  const present = ordered.filter((c): c is KeyCond => c !== undefined);
  const keyFilter = combine(present, (c) => (k: Readonly<Record<string, KeyScalar>>) => c.pred(k[c.field]));
  if (metadata.find === 'index') {
    const literal = /^[^*?[\\]*/.exec(glob)![0];
    let prefix = literal.length > keys.base.length ? literal : undefined;
    const match = present.length === 0 || glob === `${keys.base}*` || glob === `${literal}*` ? undefined : glob;
    // No key condition: walk the whole index in key order (a lexicographic range over the entity's base),
    // not in expiry order, where a member re-saved with a shorter TTL meanwhile would move behind the walk.
    if (prefix === undefined && match === undefined) prefix = keys.base;
    const sets = input.indexKey!;
    const index = typeof sets === 'string' ? sets : sets.forLiteral(literal);
    const keyRange = literal.replace(/\{$/, '').length > keys.base.length; // a hash tag's bare `{` fixes nothing
    const field = chooseFieldIndex(valueConds, metadata.fieldIndexes, order, keyRange ? COST.keyRange : COST.all, keyRange ? 'the key index range' : 'the whole key index');
    if (field !== undefined) {
      const { meta, streamsOrder, ...probe } = field;
      const where = index === undefined ? { index: (sets as TaggedIndexSets).registry, perTag: true as const } : { index };
      // Across hash tags, each tag's index is walked in turn: in order within a tag only, so sort in memory.
      const streamed = streamsOrder && index !== undefined;
      return finish({
        kind: 'field',
        ...where,
        ...probe,
        fieldKind: meta.kind,
        reverse: streamed && probe.reverse,
        ...common,
        order: order && { ...order, inMemory: !streamed },
        keyFilter,
        keyConditions,
      });
    }
    if (index === undefined) {
      const registry = (sets as TaggedIndexSets).registry;
      return finish({ kind: 'index', index: registry, perTag: true, match, prefix, ...common, keyFilter, keyConditions });
    }
    return finish({ kind: 'index', index, match, prefix, ...common, keyFilter, keyConditions });
  }
  return finish({ kind: 'scan', match: glob, ...common, keyFilter, keyConditions });
}

function positiveInt(value: number | undefined, fallback: number, name: string, entity: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidQueryError(`find() on entity "${entity}" got ${name} ${String(value)}. Pass a positive integer (default ${fallback}).`, { entity });
  }
  return value;
}

/**
 * Encodes the literal values of a key condition (deduplicated by encoded part, in first-seen order).
 * For a field whose schema rewrites values (`rewrites`), the condition then compares decoded keys with
 * the rewritten values, the ones keys hold.
 */
function withParts(cond: Cond & ({ kind: 'eq' } | { kind: 'in' }), keys: KeyCodec, entity: string, rewrites: boolean): KeyCond {
  const { field } = cond;
  const values = cond.kind === 'eq' ? [cond.value] : cond.values;
  const parts: string[] = [];
  const written: unknown[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    let part: string;
    try {
      if (value === undefined || value === null) {
        throw new InvalidQueryError(
          `find() on entity "${entity}" gives ${String(value)} for key field "${field}". Give a value, a matcher, or leave the field out to match every value.`,
          { entity, field },
        );
      }
      part = keys.encodeLiteral(field, value);
      if (rewrites) written.push(keys.keyValue(field, value));
    } catch (error) {
      if (error instanceof InvalidQueryError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new InvalidQueryError(`find() on entity "${entity}" cannot use this value for key field "${field}": ${message}`, { entity, field }, { cause: error });
    }
    if (!seen.has(part)) {
      seen.add(part);
      parts.push(part);
    }
  }
  if (!rewrites) return { ...cond, parts };
  return { ...cond, parts, pred: written.length === 1 ? equalsPredicate(written[0]) : oneOfPredicate(written) };
}

/** The glob piece of one key part (see the module notes). */
function globPiece(cond: KeyCond | undefined): string {
  if (cond === undefined) return '*';
  if (cond.parts !== undefined) return cond.parts.length === 1 ? cond.parts[0]! : '*';
  if (cond.kind === 'range') return '*'; // a range is no glob: every key of the part, re-checked by keyFilter
  const { kind, text } = cond as KeyCond & TextCondition;
  const enc = tryEncodePart(text); // undefined: lone surrogate; leave it to keyFilter
  if (enc === undefined || enc === '') return '*';
  return kind === 'prefix' ? `${enc}*` : kind === 'suffix' ? `*${enc}` : `*${enc}*`;
}

/** Cartesian product in key-field order, first field outermost: a stable order. */
function product(lists: readonly (readonly string[])[]): string[][] {
  let out: string[][] = [[]];
  for (const list of lists) out = out.flatMap((prefixParts) => list.map((part) => [...prefixParts, part]));
  return out;
}

type Draft = OmitEach<QueryPlan, 'toJSON'>;

function finish(draft: Draft): QueryPlan {
  const plan: Record<string, unknown> = { ...draft };
  Object.defineProperty(plan, 'toJSON', {
    value: () => {
      const { keyFilter: _k, valueFilter: _v, ...rest } = plan;
      return rest;
    },
  });
  return Object.freeze(plan) as unknown as QueryPlan;
}
