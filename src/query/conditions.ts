/**
 * The conditions of a find pattern, validated and compiled once into predicates: literals (by value),
 * `oneOf`, the string matchers and the ranges. The planner sorts them into key conditions and the
 * residual; every plan re-checks its results with these predicates.
 */
import { InvalidQueryError } from '../errors/index.js';
import { inRange } from './compare.js';
import { valueEquals } from './equality.js';
import { describeValue } from './explain.js';
import { isMatcher, MATCHER, type Range, type RangeType, type RangeValue, type StringMatcherKind } from './matchers.js';
import type { HeldType } from './pattern.js';

/** A compiled test of one field's value. @internal */
export type Predicate = (value: unknown) => boolean;
/** A string matcher condition. @internal */
export type TextCondition = { kind: StringMatcherKind; text: string };
/**
 * One validated pattern condition: the field, its predicate, its words for `explain()`, and what it
 * is (a planner reads `kind` and the data next to it to pick a plan). @internal
 *
 * @example
 * const c: Cond = toCondition('age', gt(18), (t) => t === 'number', 'user');
 * c.kind === 'range' && c.range.lower; // { value: 18, inclusive: false }
 */
export type Cond = { field: string; pred: Predicate; label: string } & (
  | { kind: 'eq'; value: unknown }
  | TextCondition
  | { kind: 'in'; values: readonly unknown[] }
  | { kind: 'range'; range: Range<RangeValue> }
);

const RANGE_WORDS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * Validates one pattern value and compiles its predicate. `holds(type)` answers whether the field may
 * hold values of `type` (its key kind, or its zod schema): string matchers need `'string'`, a range
 * needs its bounds' type. Throws {@link InvalidQueryError} for a malformed matcher or one the field's
 * type cannot match, with a message that says what to use instead. @internal
 *
 * @example
 * toCondition('email', contains('@corp'), (t) => t === 'string', 'user').label; // 'email contains "@corp"'
 */
export function toCondition(field: string, raw: unknown, holds: (type: HeldType) => boolean, entity: string): Cond {
  if (!isMatcher(raw)) {
    if (holdsMatcher(raw)) {
      throw new InvalidQueryError(
        `find() on entity "${entity}": field "${field}" has matchers inside ${Array.isArray(raw) ? 'an array' : 'an object'}, which would be compared as a literal and match nothing. ` +
          `A matcher stands for the whole field: use between(lo, hi) for two bounds, oneOf([...]) for alternatives.`,
        { entity, field },
      );
    }
    return { kind: 'eq', field, value: raw, pred: equalsPredicate(raw), label: `${field} = ${describeValue(raw)}` };
  }
  const kind: unknown = (raw as { [MATCHER]: unknown })[MATCHER];
  if (kind === 'oneOf') {
    const values: unknown = (raw as { values?: unknown }).values;
    if (!Array.isArray(values) || values.some(isMatcher)) {
      throw new InvalidQueryError(`find() on entity "${entity}": the oneOf() on field "${field}" is malformed. Build it with oneOf([...]).`, { entity, field });
    }
    return { kind: 'in', field, values, pred: oneOfPredicate(values), label: `${field} in [${describeList(values)}]` };
  }
  if (kind === 'range') return rangeCondition(field, raw as Range<RangeValue>, holds, entity);
  if (kind !== 'prefix' && kind !== 'suffix' && kind !== 'contains') {
    throw new InvalidQueryError(
      `find() on entity "${entity}": field "${field}" has an unknown matcher. Use prefix, suffix, contains, oneOf, gt, gte, lt, lte or between.`,
      { entity, field },
    );
  }
  const text: unknown = (raw as { text?: unknown }).text;
  if (typeof text !== 'string') {
    throw new InvalidQueryError(`find() on entity "${entity}": the ${kind}() on field "${field}" has no text. Build it with ${kind}('...').`, { entity, field });
  }
  if (!holds('string')) {
    throw new InvalidQueryError(
      `find() on entity "${entity}" uses ${kind}() on field "${field}", which is not a string field. ${kind}() applies to string fields only; use a literal or oneOf([...]).`,
      { entity, field },
    );
  }
  const verb = kind === 'prefix' ? 'starts with' : kind === 'suffix' ? 'ends with' : 'contains';
  const pred: Predicate =
    kind === 'prefix'
      ? (v) => typeof v === 'string' && v.startsWith(text)
      : kind === 'suffix'
        ? (v) => typeof v === 'string' && v.endsWith(text)
        : (v) => typeof v === 'string' && v.includes(text);
  return { kind, field, pred, label: `${field} ${verb} ${JSON.stringify(text)}`, text };
}

/** Whether a literal array or plain object holds a matcher as an element or property (e.g. `[gte(1), lte(5)]`). */
function holdsMatcher(raw: unknown): boolean {
  if (Array.isArray(raw)) return raw.some(isMatcher);
  if (typeof raw !== 'object' || raw === null) return false;
  const proto: unknown = Object.getPrototypeOf(raw);
  return (proto === Object.prototype || proto === null) && Object.values(raw).some(isMatcher);
}

const BOUND_TYPE: Readonly<Record<string, (v: unknown) => boolean>> = {
  number: (v) => typeof v === 'number' && !Number.isNaN(v),
  bigint: (v) => typeof v === 'bigint',
  date: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
};

/** A range condition: checks that the matcher is well formed (not forged) and that the field can hold its type. */
function rangeCondition(field: string, range: Range<RangeValue>, holds: (type: HeldType) => boolean, entity: string): Cond {
  const { op, type, lower, upper } = range;
  const ofType = BOUND_TYPE[type];
  const okBound = (b: unknown) => b === undefined || (typeof b === 'object' && b !== null && ofType?.((b as { value?: unknown }).value) === true);
  const shaped =
    ofType !== undefined &&
    okBound(lower) &&
    okBound(upper) &&
    (lower !== undefined || upper !== undefined) &&
    (op === 'between' ? lower !== undefined && upper !== undefined : op in RANGE_WORDS);
  if (!shaped) {
    throw new InvalidQueryError(
      `find() on entity "${entity}": the range on field "${field}" is malformed. Build it with gt, gte, lt, lte or between.`,
      { entity, field },
    );
  }
  if (!holds(type)) throw wrongRangeField(field, range, holds, entity);
  const label =
    op === 'between'
      ? `${field} between ${describeValue(lower!.value)} and ${describeValue(upper!.value)} (inclusive)`
      : `${field} ${RANGE_WORDS[op]} ${describeValue((lower ?? upper)!.value)}`;
  return { kind: 'range', field, range, pred: (v) => inRange(range, v), label };
}

const TYPE_WORD: Readonly<Record<RangeType, string>> = { number: 'number', bigint: 'bigint', date: 'Date' };
const EXAMPLE: Readonly<Record<RangeType, string>> = { number: '(18)', bigint: '(18n)', date: "(new Date('2026-01-01'))" };

/** Why a range cannot apply to a field, and the bound type (or the other matchers) to use instead. */
function wrongRangeField(field: string, range: Range<RangeValue>, holds: (type: HeldType) => boolean, entity: string): InvalidQueryError {
  const { op, type } = range;
  const fits = (['number', 'bigint', 'date'] as const).filter((t) => holds(t));
  const head = `find() on entity "${entity}" uses ${op}() with a ${TYPE_WORD[type]} bound on field "${field}"`;
  const message =
    fits.length > 0
      ? `${head}, which holds ${fits.map((t) => TYPE_WORD[t]).join(' or ')} values: a range only matches values of its bounds' type. Pass ${fits.map((t) => `a ${TYPE_WORD[t]} bound, e.g. ${op}${op === 'between' ? EXAMPLE[t].replace(/^\((.*)\)$/, '($1, $1)') : EXAMPLE[t]}`).join(', or ')}.`
      : `${head}, which is not a number, bigint or Date field: ranges apply to those only. Use a literal or oneOf([...])${holds('string') ? ', or prefix(), suffix(), contains() for text' : ''}.`;
  return new InvalidQueryError(message, { entity, field });
}

/** `=== literal`, by value for objects (`valueEquals`), `NaN` equal to `NaN`. @internal */
export function equalsPredicate(literal: unknown): Predicate {
  if (typeof literal === 'object' && literal !== null) return (v) => valueEquals(v, literal);
  // eslint-disable-next-line no-self-compare
  if (literal !== literal) return (v) => v !== v; // NaN
  return (v) => v === literal;
}

/** Equal to one of `values` (primitives by `SameValueZero`, objects by value). @internal */
export function oneOfPredicate(values: readonly unknown[]): Predicate {
  const primitives = new Set<unknown>(); // SameValueZero: NaN, ±0 and bigints compare by value
  const objects: unknown[] = [];
  for (const value of values) {
    if (typeof value === 'object' && value !== null) objects.push(value);
    else primitives.add(value);
  }
  if (objects.length === 0) return (v) => primitives.has(v);
  return (v) => primitives.has(v) || (typeof v === 'object' && v !== null && objects.some((o) => valueEquals(v, o)));
}

/** One function that checks every condition; `undefined` for none. @internal */
export function combine<T>(conds: readonly Cond[], make: (c: Cond) => (x: T) => boolean): ((x: T) => boolean) | undefined {
  const checks = conds.map(make);
  if (checks.length === 0) return undefined;
  if (checks.length === 1) return checks[0];
  return (x) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i]!(x)) return false;
    return true;
  };
}

function describeList(values: readonly unknown[]): string {
  const shown = values.slice(0, 10).map(describeValue).join(', ');
  return values.length > 10 ? `${shown}, ... (${values.length} values)` : shown;
}
