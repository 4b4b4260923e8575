/**
 * Typed find-by-pattern: matchers, the pattern type, value equality, the planner and `Query`.
 * See docs/find.md.
 */
export {
  between,
  contains,
  gt,
  gte,
  isMatcher,
  lt,
  lte,
  oneOf,
  prefix,
  suffix,
  type Matcher,
  type OneOf,
  type Range,
  type RangeBound,
  type RangeOp,
  type RangeType,
  type RangeValue,
  type StringMatcher,
  type StringMatcherKind,
} from './matchers.js';
export type { Condition, FindOptions, Literal, OrderableField, OrderBy, Pattern, RangeOf } from './pattern.js';
export { compareOrdered, compareStrings, compareValues, inRange, sortType, type OrderDirection, type Ordered, type SortType } from './compare.js';
export { MAX_IN_MEMORY_ORDER, planOrder, sortInMemory, type OrderedItem } from './order.js';
export { combine, toCondition, type Cond, type Predicate, type TextCondition } from './conditions.js';
export { valueEquals } from './equality.js';
export { planFind } from './planner.js';
export { explainPlan } from './explain.js';
export type { FieldProbe, FieldRange, KeyFilter, PlanCommon, PlanInput, PlanOrder, QueryPlan, QueryPlanJSON, ValueFilter } from './plan.js';
export type { TaggedIndexSets } from './index-layout.js';
export { Query, type Candidate, type QuerySource } from './query.js';
export type { ResultStream } from './streams.js';
export { rebuildIndex, type IndexLayout, type RebuildIndexInput } from './reindex.js';
