/** The planner on ranges and orderBy, without Redis: plans, filters, explain() and every InvalidQueryError. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../../src/entity/define-entity.js';
import { getEntityMetadata } from '../../src/entity/metadata.js';
import { InvalidQueryError } from '../../src/errors/index.js';
import { KeyCodec } from '../../src/keys/index.js';
import { between, explainPlan, gt, gte, lt, lte, MAX_IN_MEMORY_ORDER, oneOf, planFind, prefix, type QueryPlan } from '../../src/query/index.js';
import { MATCHER } from '../../src/query/matchers.js';

const schema = z.object({
  tenantId: z.string(),
  seq: z.int(),
  shard: z.bigint(),
  age: z.int().optional(),
  score: z.number().nullable(),
  total: z.bigint(),
  at: z.date(),
  name: z.string(),
  active: z.boolean(),
  level: z.enum(['low', 'high']),
  tags: z.set(z.string()),
  maybe: z.union([z.string(), z.number()]),
  any: z.unknown(),
});

const User = defineEntity({ name: 'user', key: ['tenantId', 'seq', 'shard'], schema, ttl: '10m' });
const metadata = getEntityMetadata(User);
const keys = new KeyCodec({ prefix: 'app', entity: metadata.name, fields: metadata.keyFields });
const plan = (pattern: Record<string, unknown>, orderBy?: unknown): QueryPlan => planFind({ metadata, keys, pattern, ...(orderBy === undefined ? {} : { orderBy }) });

function expectQueryError(fn: () => unknown, field: string | undefined, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidQueryError);
  expect((thrown as InvalidQueryError).code).toBe('E_INVALID_QUERY');
  expect((thrown as InvalidQueryError).field).toBe(field);
  expect((thrown as Error).message).toMatch(message);
}

describe('ranges on non-key fields: the residual', () => {
  it('filters fetched values, with the range in words', () => {
    const p = plan({ tenantId: 'acme', age: gte(18), total: between(1n, 10n), at: lt(new Date(0)) });
    expect(p.kind).toBe('scan');
    expect(p.residual).toEqual(['age >= 18', 'total between 1n and 10n (inclusive)', 'at < 1970-01-01T00:00:00.000Z']);
    const row = { age: 18, total: 10n, at: new Date(-1) };
    expect(p.valueFilter!(row)).toBe(true);
    expect(p.valueFilter!({ ...row, age: 17 })).toBe(false);
    expect(p.valueFilter!({ ...row, age: undefined })).toBe(false);
    expect(p.valueFilter!({ ...row, total: 11n })).toBe(false);
    expect(p.valueFilter!({ ...row, at: new Date(0) })).toBe(false);
  });

  it('accept nullable, optional and union fields of the bound type', () => {
    expect(plan({ score: gt(0.5) }).valueFilter!({ score: null })).toBe(false);
    expect(plan({ score: gt(0.5) }).valueFilter!({ score: 0.6 })).toBe(true);
    expect(plan({ maybe: lte(3) }).valueFilter!({ maybe: '2' })).toBe(false);
    expect(plan({ any: gt(1n) }).valueFilter!({ any: 2n })).toBe(true);
  });
});

describe('ranges on key fields: a wildcard part re-checked on the key', () => {
  it('plans a SCAN with that part as * and keyFilter checking the decoded value', () => {
    const p = plan({ tenantId: 'acme', seq: between(10, 20), shard: 3n });
    expect(p).toMatchObject({ kind: 'scan', match: 'app:user:acme:*:3', keysOnly: true });
    expect(p.keyConditions).toEqual(['tenantId = "acme"', 'seq between 10 and 20 (inclusive)', 'shard = 3n']);
    expect(p.keyFilter!({ tenantId: 'acme', seq: 20, shard: 3n })).toBe(true);
    expect(p.keyFilter!({ tenantId: 'acme', seq: 21, shard: 3n })).toBe(false);
    expect(plan({ shard: gt(2n ** 70n) }).keyFilter!({ tenantId: 'a', seq: 1, shard: 2n ** 70n + 1n })).toBe(true);
  });

  it('never turns a fully fixed key with a range into GET/MGET', () => {
    expect(plan({ tenantId: 'acme', seq: gt(1), shard: oneOf([1n, 2n]) }).kind).toBe('scan');
  });

  it('reject ranges on string key fields and bounds of the other numeric type', () => {
    expectQueryError(() => plan({ tenantId: gt(1) }), 'tenantId', /not a number, bigint or Date field.*Use a literal or oneOf\(\[\.\.\.\]\), or prefix\(\), suffix\(\), contains\(\) for text/);
    expectQueryError(() => plan({ seq: gt(1n) }), 'seq', /bigint bound on field "seq", which holds number values.*Pass a number bound, e\.g\. gt\(18\)/);
    expectQueryError(() => plan({ shard: between(1, 2) }), 'shard', /holds bigint values.*between\(18n, 18n\)/);
  });
});

describe('ranges on fields of the wrong type', () => {
  it.each([
    ['name', gt(1), /not a number, bigint or Date field.*prefix\(\)/],
    ['active', gt(0), /not a number, bigint or Date field: ranges apply to those only\. Use a literal or oneOf\(\[\.\.\.\]\)\.$/],
    ['tags', lt(3), /not a number, bigint or Date field/],
    ['level', gt(1), /not a number, bigint or Date field.*prefix/],
    ['age', gt(new Date(0)), /Date bound on field "age", which holds number values/],
    ['at', gt(0), /number bound on field "at", which holds Date values.*gt\(new Date\('2026-01-01'\)\)/],
    ['total', gte(1), /holds bigint values/],
  ])('%s with %j', (field, range, message) => {
    expectQueryError(() => plan({ [field]: range }), field, message);
  });

  it('reject matchers nested in a literal, e.g. two bounds in an array', () => {
    expectQueryError(() => plan({ age: [gte(1), lte(5)] }), 'age', /matchers inside an array.*use between\(lo, hi\) for two bounds, oneOf\(\[\.\.\.\]\) for alternatives/);
    expectQueryError(() => plan({ any: { min: gt(1) } }), 'any', /matchers inside an object/);
    expect(plan({ any: [1, 2] }).residual).toEqual(['any = [1, 2]']);
  });

  it('reject forged or malformed ranges', () => {
    const forged = (shape: object) => Object.freeze({ [MATCHER]: 'range', ...shape });
    expectQueryError(() => plan({ age: forged({ op: 'gt', type: 'number', lower: { value: '1', inclusive: false } }) }), 'age', /malformed/);
    expectQueryError(() => plan({ age: forged({ op: 'gt', type: 'string', lower: { value: 'a', inclusive: false } }) }), 'age', /malformed/);
    expectQueryError(() => plan({ age: forged({ op: 'between', type: 'number', lower: { value: 1, inclusive: true } }) }), 'age', /malformed/);
    expectQueryError(() => plan({ age: forged({ op: 'gt', type: 'number' }) }), 'age', /malformed/);
    expectQueryError(() => plan({ age: forged({ op: 'gt', type: 'number', lower: { value: NaN, inclusive: false } }) }), 'age', /malformed/);
  });
});

describe('orderBy', () => {
  it('becomes plan.order, in memory, on any sortable field', () => {
    expect(plan({ tenantId: 'acme' }, { age: 'desc' }).order).toEqual({ field: 'age', direction: 'desc', keyField: false, inMemory: true });
    expect(plan({}, { seq: 'asc' }).order).toEqual({ field: 'seq', direction: 'asc', keyField: true, inMemory: true });
    for (const field of ['name', 'active', 'level', 'at', 'total', 'score', 'maybe', 'any']) expect(plan({}, { [field]: 'asc' }).order?.field).toBe(field);
    expect(plan({}).order).toBeUndefined();
  });

  it('rejects a malformed orderBy, saying what to pass', () => {
    expectQueryError(() => plan({}, 'age'), undefined, /got orderBy string\. Pass one field and a direction, e\.g\. \{ orderBy: \{ tenantId: 'desc' \} \}/);
    expectQueryError(() => plan({}, null), undefined, /got orderBy null/);
    expectQueryError(() => plan({}, ['age']), undefined, /got orderBy an array/);
    expectQueryError(() => plan({}, {}), undefined, /an orderBy with no field/);
    expectQueryError(() => plan({}, { age: 'asc', seq: 'desc' }), undefined, /on 2 fields \(age, seq\); it sorts on one field, ties are ordered by key/);
    expectQueryError(() => plan({}, { nope: 'asc' }), 'nope', /does not have\. Valid fields: tenantId, seq/);
    expectQueryError(() => plan({}, { age: 'up' }), 'age', /direction "up"\. Pass 'asc' or 'desc'/);
    expectQueryError(() => plan({}, { age: 1 }), 'age', /direction 1\. Pass/);
    expectQueryError(() => plan({}, { tags: 'asc' }), 'tags', /have no order.*Order by a string, number, bigint, boolean or Date field/);
  });
});

describe('explain()', () => {
  it('shows range conditions and the in-memory order with its cap', () => {
    const text = explainPlan(plan({ tenantId: 'acme', seq: gt(5), age: between(18, 65) }, { age: 'desc' }));
    expect(text).toBe(
      [
        'find on entity "user": SCAN (walks the keyspace, filtered by a glob)',
        '  SCAN 0 MATCH app:user:acme:* COUNT 1000 (repeated until the cursor is 0)',
        '  MGET each batch of matching keys (to read the values)',
        '  key filter: tenantId = "acme"; seq > 5',
        '  residual: age between 18 and 65 (inclusive)',
        `  order: age desc, ties by key, missing values last; sorted in memory after the reads (at most ${MAX_IN_MEMORY_ORDER} matches, MAX_IN_MEMORY_ORDER; more throws InvalidQueryError: index "age" to stream in order)`,
      ].join('\n'),
    );
    expect(explainPlan(plan({ tenantId: prefix('a') }, { seq: 'asc' }))).toMatch(/order: seq asc, .*more throws InvalidQueryError\)$/m);
  });

  it('keeps the order in the plan JSON', () => {
    expect(JSON.parse(JSON.stringify(plan({}, { at: 'asc' }))).order).toEqual({ field: 'at', direction: 'asc', keyField: false, inMemory: true });
  });
});
