/**
 * Typed find-by-pattern: matchers, the pattern type, value equality, the planner and `Query`.
 * See docs/find.md.
 */
export { contains, isMatcher, oneOf, prefix, suffix, type Matcher, type OneOf, type StringMatcher, type StringMatcherKind } from './matchers.js';
export type { Condition, FindOptions, Literal, Pattern } from './pattern.js';
export { valueEquals } from './equality.js';
export { planFind } from './planner.js';
export { explainPlan } from './explain.js';
export type { KeyFilter, PlanCommon, PlanInput, QueryPlan, QueryPlanJSON, ValueFilter } from './plan.js';
export type { TaggedIndexSets } from './index-layout.js';
export { Query, type Candidate, type QuerySource, type ResultStream } from './query.js';
export { rebuildIndex, type IndexLayout, type RebuildIndexInput } from './reindex.js';
