/** The find planner, without Redis: plan kinds, keys, globs, filters, errors and explain(). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEntity } from '../../src/entity/define-entity.js';
import { getEntityMetadata, type EntityMetadata } from '../../src/entity/metadata.js';
import { InvalidQueryError } from '../../src/errors/index.js';
import { KeyCodec } from '../../src/keys/index.js';
import { contains, explainPlan, oneOf, planFind, prefix, suffix, type PlanInput, type QueryPlan } from '../../src/query/index.js';
import { MATCHER } from '../../src/query/matchers.js';

const schema = z.object({
  tenantId: z.string(),
  id: z.string(),
  userId: z.int(),
  email: z.email(),
  lastSeen: z.date(),
  roles: z.set(z.string()),
  note: z.string().optional(),
  level: z.enum(['low', 'high']).nullable(),
  meta: z.object({ text: z.string() }).optional(),
  code: z.codec(z.string(), z.number(), { decode: Number, encode: String }),
  any: z.unknown(),
});

function setup(find: 'scan' | 'index' = 'scan', version?: number) {
  const Session = defineEntity({ name: 'session', key: ['tenantId', 'id'], schema, ttl: '10m', find, ...(version ? { version } : {}) });
  const metadata = getEntityMetadata(Session);
  const keys = new KeyCodec({ prefix: 'app', entity: metadata.name, ...(version ? { version } : {}), fields: metadata.keyFields });
  return { metadata, keys };
}

const scan = setup('scan');
const indexed = setup('index');
const INDEX = 'app:session#index';

function plan(pattern: Record<string, unknown>, options: Partial<PlanInput> = {}, entity: { metadata: EntityMetadata; keys: KeyCodec } = scan): QueryPlan {
  return planFind({ ...entity, pattern, ...(entity.metadata.find === 'index' ? { indexKey: INDEX } : {}), ...options });
}

function expectQueryError(fn: () => unknown, field: string | undefined, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as InvalidQueryError).code).toBe('E_INVALID_QUERY');
    expect((error as InvalidQueryError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected an InvalidQueryError');
}

describe('GET and MGET', () => {
  it('all key fields literal: GET, exact, keys only', () => {
    const p = plan({ tenantId: 'acme', id: 's1' });
    expect(p).toMatchObject({ kind: 'get', key: 'app:session:acme:s1', keyFilter: undefined, valueFilter: undefined, keysOnly: true, count: 1000 });
    expect(p.keyConditions).toEqual(['tenantId = "acme"', 'id = "s1"']);
    expect(p.residual).toEqual([]);
  });

  it('literals are encoded into the key', () => {
    expect(plan({ tenantId: '*', id: 'a:b' })).toMatchObject({ kind: 'get', key: 'app:session:%2A:a%3Ab' });
    const versioned = setup('scan', 3);
    expect(plan({ tenantId: 'acme', id: '' }, {}, versioned)).toMatchObject({ kind: 'get', key: 'app:session~v3:acme:' });
  });

  it('GET with a residual: valueFilter, not keys only', () => {
    const p = plan({ tenantId: 'acme', id: 's1', userId: 7 });
    expect(p).toMatchObject({ kind: 'get', keysOnly: false, residual: ['userId = 7'] });
    expect(p.valueFilter?.({ userId: 7 })).toBe(true);
    expect(p.valueFilter?.({ userId: 8 })).toBe(false);
  });

  it('a oneOf of one distinct value is a GET', () => {
    expect(plan({ tenantId: oneOf(['acme', 'acme']), id: 's1' })).toMatchObject({ kind: 'get', key: 'app:session:acme:s1' });
  });

  it('literals and oneOf: MGET of the deduplicated product, first field outermost', () => {
    const p = plan({ tenantId: oneOf(['a', 'b', 'a']), id: oneOf(['1', '2']) });
    expect(p.kind).toBe('mget');
    if (p.kind !== 'mget') return;
    expect(p.keys).toEqual(['app:session:a:1', 'app:session:a:2', 'app:session:b:1', 'app:session:b:2']);
    expect(p).toMatchObject({ keyFilter: undefined, keysOnly: true });
    expect(p.keyConditions).toEqual(['tenantId in ["a", "b", "a"]', 'id in ["1", "2"]']);
  });

  it('the product is capped: beyond maxMgetKeys it scans', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `k${i}`);
    expect(plan({ tenantId: oneOf(['a', 'b']), id: oneOf(ids) }, { maxMgetKeys: 40 }).kind).toBe('mget');
    const p = plan({ tenantId: oneOf(['a', 'b']), id: oneOf(ids) }, { maxMgetKeys: 39 });
    expect(p).toMatchObject({ kind: 'scan', match: 'app:session:*' });
    expect(p.notes[0]).toMatch(/40 keys, more than maxMgetKeys \(39\)/);
    expect(p.keyFilter?.({ tenantId: 'a', id: 'k3' })).toBe(true);
    expect(p.keyFilter?.({ tenantId: 'c', id: 'k3' })).toBe(false);
    expect(p.keyFilter?.({ tenantId: 'a', id: 'k99' })).toBe(false);
    // a literal stays in the glob
    expect(plan({ tenantId: 'a', id: oneOf(ids) }, { maxMgetKeys: 10 })).toMatchObject({ kind: 'scan', match: 'app:session:a:*' });
    // the default cap is 1000
    const many = Array.from({ length: 1001 }, (_, i) => `k${i}`);
    expect(plan({ tenantId: 'a', id: oneOf(many) }).kind).toBe('scan');
    expect(plan({ tenantId: 'a', id: oneOf(many.slice(1)) }).kind).toBe('mget');
  });

  it('number, bigint and boolean key fields: canonical parts, deduplicated by value', () => {
    const Shard = defineEntity({
      name: 'shard',
      key: ['n', 'big', 'on'],
      schema: z.object({ n: z.number(), big: z.bigint(), on: z.boolean(), label: z.string() }),
      ttl: 'never',
    });
    const metadata = getEntityMetadata(Shard);
    const keys = new KeyCodec({ prefix: 'app', entity: 'shard', fields: metadata.keyFields });
    const p = planFind({ metadata, keys, pattern: { n: oneOf([0, -0, 1.5]), big: 10n, on: oneOf([true, false]) } });
    expect(p.kind === 'mget' && p.keys).toEqual(['app:shard:0:10:true', 'app:shard:0:10:false', 'app:shard:1.5:10:true', 'app:shard:1.5:10:false']);
    const s = planFind({ metadata, keys, pattern: { big: 10n, label: prefix('x') } });
    expect(s).toMatchObject({ kind: 'scan', match: 'app:shard:*:10:*', residual: ['label starts with "x"'] });
    expect(s.keyFilter?.({ n: 1, big: 10n, on: true })).toBe(true);
    expect(s.keyFilter?.({ n: 1, big: 11n, on: true })).toBe(false);
    expect(planFind({ metadata, keys, pattern: { on: false } })).toMatchObject({ match: 'app:shard:*:false' });
  });
});

describe('SCAN', () => {
  it.each([
    [{}, 'app:session:*'],
    [{ tenantId: 'acme' }, 'app:session:acme:*'],
    [{ tenantId: 'acme', id: prefix('a1') }, 'app:session:acme:a1*'],
    [{ tenantId: 'acme', id: suffix('x') }, 'app:session:acme:*x'],
    [{ tenantId: 'acme', id: contains('x') }, 'app:session:acme:*x*'],
    [{ id: 's1' }, 'app:session:*:s1'],
    [{ tenantId: prefix('ac') }, 'app:session:ac*'],
    [{ tenantId: suffix('me') }, 'app:session:*me:*'],
    [{ tenantId: contains('cm'), id: prefix('a') }, 'app:session:*cm*:a*'],
    [{ tenantId: prefix('') }, 'app:session:*'],
    [{ tenantId: prefix('a*') }, 'app:session:a%2A*'],
    [{ tenantId: '*', id: contains('?') }, 'app:session:%2A:*%3F*'],
    [{ tenantId: suffix('\\'), id: prefix('[') }, 'app:session:*%5C:%5B*'],
    [{ email: contains('@corp') }, 'app:session:*'],
  ])('%j → SCAN MATCH %s', (pattern, match) => {
    const p = plan(pattern);
    expect(p).toMatchObject({ kind: 'scan', match, count: 1000 });
  });

  it('collapses wildcard runs across parts', () => {
    const Three = defineEntity({ name: 't3', key: ['a', 'b', 'c'], schema: z.object({ a: z.string(), b: z.string(), c: z.string() }), ttl: '1m' });
    const metadata = getEntityMetadata(Three);
    const keys = new KeyCodec({ prefix: 'p', entity: 't3', fields: metadata.keyFields });
    expect(planFind({ metadata, keys, pattern: { c: 'z' } })).toMatchObject({ match: 'p:t3:*:z' });
    expect(planFind({ metadata, keys, pattern: { a: 'x', c: prefix('z') } })).toMatchObject({ match: 'p:t3:x:*:z*' });
    expect(planFind({ metadata, keys, pattern: { b: contains('m') } })).toMatchObject({ match: 'p:t3:*m*' });
  });

  it('batchSize is the COUNT', () => {
    expect(plan({ tenantId: 'acme' }, { batchSize: 50 })).toMatchObject({ kind: 'scan', count: 50 });
  });

  it('keyFilter re-checks every key condition on the decoded key (the glob is only a pre-filter)', () => {
    const p = plan({ tenantId: 'acme', id: prefix('a1') });
    expect(p.keyFilter?.({ tenantId: 'acme', id: 'a1x' })).toBe(true);
    expect(p.keyFilter?.({ tenantId: 'acme', id: 'b' })).toBe(false);
    expect(p.keyFilter?.({ tenantId: 'acme2', id: 'a1' })).toBe(false);
    // `*cm*` also matches across parts: `app:session:x:acme` passes the glob, not the filter
    const c = plan({ tenantId: contains('cm') });
    expect(c.keyFilter?.({ tenantId: 'x', id: 'acme' })).toBe(false);
    expect(c.keyFilter?.({ tenantId: 'acme', id: 'x' })).toBe(true);
    // suffix text is compared on decoded values: '2A' is not a suffix of '*'
    const s = plan({ tenantId: suffix('2A') });
    expect(s.keyFilter?.({ tenantId: 'x*', id: 'i' })).toBe(false);
    expect(s.keyFilter?.({ tenantId: 'x2A', id: 'i' })).toBe(true);
  });

  it('no key condition: no keyFilter', () => {
    expect(plan({}).keyFilter).toBeUndefined();
    expect(plan({ userId: 1 }).keyFilter).toBeUndefined();
  });

  it('text with a lone surrogate cannot be encoded: a wider glob, checked by keyFilter', () => {
    const p = plan({ tenantId: prefix('\uD83D') });
    expect(p).toMatchObject({ kind: 'scan', match: 'app:session:*' });
    expect(p.keyFilter?.({ tenantId: '\uD83D\uDE00', id: 'x' })).toBe(true);
    expect(p.keyFilter?.({ tenantId: 'a', id: 'x' })).toBe(false);
  });
});

describe('index strategy', () => {
  it('all literal: GET; literal + oneOf within the cap: MGET', () => {
    expect(plan({ tenantId: 'a', id: 'b' }, {}, indexed)).toMatchObject({ kind: 'get', key: 'app:session:a:b' });
    expect(plan({ tenantId: 'a', id: oneOf(['b', 'c']) }, {}, indexed)).toMatchObject({ kind: 'mget', keys: ['app:session:a:b', 'app:session:a:c'] });
  });

  it("otherwise an index walk: the glob's literal start becomes a key-prefix range, the rest a glob filter", () => {
    expect(plan({ tenantId: 'acme', id: prefix('a1') }, {}, indexed)).toMatchObject({ kind: 'index', index: INDEX, prefix: 'app:session:acme:a1', match: undefined });
    expect(plan({ tenantId: 'acme' }, { batchSize: 10 }, indexed)).toMatchObject({ kind: 'index', prefix: 'app:session:acme:', match: undefined, count: 10 });
    expect(plan({ tenantId: 'acme', id: suffix('9') }, {}, indexed)).toMatchObject({ kind: 'index', prefix: 'app:session:acme:', match: 'app:session:acme:*9' });
    // Matcher text is encoded: a '*' in it is part of the literal prefix, never a wildcard.
    expect(plan({ tenantId: prefix('a*c') }, {}, indexed)).toMatchObject({ kind: 'index', prefix: 'app:session:a%2Ac', match: undefined });
    // No literal beyond the entity's base: the whole set is walked with the glob.
    expect(plan({ id: 'x1' }, {}, indexed)).toMatchObject({ kind: 'index', prefix: undefined, match: 'app:session:*:x1' });
  });

  it('no key condition (or none the glob can express): all live members, match undefined', () => {
    expect(plan({}, {}, indexed)).toMatchObject({ kind: 'index', match: undefined, keyFilter: undefined });
    expect(plan({ email: suffix('.org') }, {}, indexed)).toMatchObject({ kind: 'index', match: undefined, keysOnly: false });
    const p = plan({ tenantId: oneOf(['a', 'b']), id: oneOf(['1', '2']) }, { maxMgetKeys: 2 }, indexed);
    expect(p).toMatchObject({ kind: 'index', match: undefined });
    expect(p.keyFilter?.({ tenantId: 'a', id: '2' })).toBe(true);
    expect(p.keyFilter?.({ tenantId: 'c', id: '2' })).toBe(false);
  });

  it('needs the index key', () => {
    expect(() => planFind({ ...indexed, pattern: {} })).toThrow(TypeError);
  });
});

describe('empty plans', () => {
  it('oneOf([]) on any field matches nothing', () => {
    expect(plan({ tenantId: oneOf([]) })).toMatchObject({ kind: 'empty', keysOnly: true, keyFilter: undefined, valueFilter: undefined });
    const p = plan({ tenantId: 'acme', roles: oneOf([]) }, {}, indexed);
    expect(p.kind === 'empty' && p.reason).toMatch(/oneOf\(\[\]\) on field "roles"/);
  });

  it('the rest of the pattern is still validated', () => {
    expectQueryError(() => plan({ tenantId: oneOf([]), nope: 1 }), 'nope', /"nope", which the entity does not have/);
    expectQueryError(() => plan({ tenantId: oneOf([]), id: 5 }), 'id', /must be a string/);
  });
});

describe('residual (valueFilter)', () => {
  it('literals compare by value: Date, Set, bigint-free objects', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    const p = plan({ tenantId: 'acme', lastSeen: new Date(at.getTime()), roles: new Set(['a', 'b']) });
    expect(p.residual).toEqual(['lastSeen = 2026-01-01T00:00:00.000Z', 'roles = Set {"a", "b"}']);
    expect(p.keysOnly).toBe(false);
    expect(p.valueFilter?.({ lastSeen: new Date(at.getTime()), roles: new Set(['b', 'a']) })).toBe(true);
    expect(p.valueFilter?.({ lastSeen: new Date(0), roles: new Set(['b', 'a']) })).toBe(false);
    expect(p.valueFilter?.({ lastSeen: at, roles: new Set(['a']) })).toBe(false);
    expect(plan({ meta: { text: 'x' } }).valueFilter?.({ meta: { text: 'x' } })).toBe(true);
  });

  it('string matchers: on strings only (anything else is false)', () => {
    const p = plan({ email: contains('@corp'), note: prefix('n'), any: suffix('!') });
    expect(p.residual).toEqual(['email contains "@corp"', 'note starts with "n"', 'any ends with "!"']);
    expect(p.valueFilter?.({ email: 'a@corp.x', note: 'nb', any: 'hi!' })).toBe(true);
    expect(p.valueFilter?.({ email: 'a@corp.x', note: undefined, any: 'hi!' })).toBe(false);
    expect(p.valueFilter?.({ email: 'a@corp.x', note: 'nb', any: 5 })).toBe(false);
  });

  it('oneOf: some value equal', () => {
    const p = plan({ userId: oneOf([7, 8, NaN]), lastSeen: oneOf([new Date(1), new Date(2)]) });
    expect(p.valueFilter?.({ userId: 8, lastSeen: new Date(2) })).toBe(true);
    expect(p.valueFilter?.({ userId: NaN, lastSeen: new Date(1) })).toBe(true);
    expect(p.valueFilter?.({ userId: 9, lastSeen: new Date(1) })).toBe(false);
    expect(p.valueFilter?.({ userId: 7, lastSeen: new Date(3) })).toBe(false);
  });

  it('undefined and null literals on non-key fields: the field is missing/undefined, or null', () => {
    const p = plan({ note: undefined, level: null });
    expect(p.residual).toEqual(['note = undefined', 'level = null']);
    expect(p.valueFilter?.({ level: null })).toBe(true);
    expect(p.valueFilter?.({ note: 'x', level: null })).toBe(false);
    expect(p.valueFilter?.({ level: 'low' })).toBe(false);
  });
});

describe('errors', () => {
  it('unknown field: names it and lists the valid ones', () => {
    expectQueryError(() => plan({ nope: 1 }), 'nope', /"nope".*Valid fields: tenantId, id, userId, email/);
    expectQueryError(() => plan({ toString: 'x' }), 'toString', /"toString"/);
  });

  it('string matcher on a non-string field', () => {
    expectQueryError(() => plan({ userId: prefix('1') }), 'userId', /prefix\(\) on field "userId", which is not a string field/);
    expectQueryError(() => plan({ lastSeen: contains('2026') }), 'lastSeen', /contains\(\)/);
    expectQueryError(() => plan({ code: suffix('1') }), 'code', /suffix\(\)/); // a codec whose output is a number
    const Num = defineEntity({ name: 'num', key: ['n'], schema: z.object({ n: z.int() }), ttl: '1m' });
    const metadata = getEntityMetadata(Num);
    const keys = new KeyCodec({ prefix: 'app', entity: 'num', fields: metadata.keyFields });
    expectQueryError(() => planFind({ metadata, keys, pattern: { n: prefix('1') } }), 'n', /not a string field/);
    // string-like schemas accept matchers
    expect(() => plan({ level: prefix('l'), note: suffix('x'), meta: oneOf([{ text: 'a' }]) })).not.toThrow();
  });

  it('key-field literal of the wrong type, not finite, failing its schema, or undefined', () => {
    expectQueryError(() => plan({ tenantId: 42 }), 'tenantId', /must be a string, got number/);
    expectQueryError(() => plan({ tenantId: oneOf(['a', 1]) }), 'tenantId', /must be a string/);
    expectQueryError(() => plan({ tenantId: undefined }), 'tenantId', /gives undefined for key field "tenantId"/);
    expectQueryError(() => plan({ tenantId: null }), 'tenantId', /null/);
    const Strict = defineEntity({ name: 'strict', key: ['id', 'n'], schema: z.object({ id: z.uuid(), n: z.number() }), ttl: '1m' });
    const metadata = getEntityMetadata(Strict);
    const keys = new KeyCodec({ prefix: 'app', entity: 'strict', fields: metadata.keyFields });
    expectQueryError(() => planFind({ metadata, keys, pattern: { id: 'not-a-uuid' } }), 'id', /not valid/);
    expectQueryError(() => planFind({ metadata, keys, pattern: { n: NaN } }), 'n', /finite/);
    expectQueryError(() => planFind({ metadata, keys, pattern: { n: '1' } }), 'n', /must be a number, got string/);
    try {
      plan({ tenantId: 42 });
    } catch (error) {
      expect((error as Error).cause).toMatchObject({ code: 'E_INVALID_KEY' });
    }
  });

  it('malformed matchers, patterns and options', () => {
    expectQueryError(() => plan({ tenantId: { [MATCHER]: 'prefix', text: 1 } }), 'tenantId', /has no text/);
    expectQueryError(() => plan({ tenantId: { [MATCHER]: 'glob', text: '*' } }), 'tenantId', /unknown matcher/);
    expectQueryError(() => plan({ tenantId: { [MATCHER]: 'oneOf', values: 'ab' } }), 'tenantId', /malformed/);
    expectQueryError(() => plan(null as never), undefined, /pattern object/);
    expectQueryError(() => plan([] as never), undefined, /an array/);
    expectQueryError(() => plan({}, { batchSize: 0 }), undefined, /batchSize 0/);
    expectQueryError(() => plan({}, { maxMgetKeys: 1.5 }), undefined, /maxMgetKeys/);
    expectQueryError(() => prefix(1 as never), undefined, /prefix\(\) takes a string, got number/);
    expectQueryError(() => oneOf('ab' as never), undefined, /oneOf\(\) takes an array/);
    expectQueryError(() => oneOf([prefix('a')]), undefined, /not matchers/);
  });
});

describe('plans as data', () => {
  it('are frozen and JSON-friendly', () => {
    const p = plan({ tenantId: 'acme', email: contains('@corp') });
    expect(Object.isFrozen(p)).toBe(true);
    const json = JSON.parse(JSON.stringify(p)) as Record<string, unknown>;
    expect(json).toEqual({
      kind: 'scan',
      match: 'app:session:acme:*',
      entity: 'session',
      count: 1000,
      keyConditions: ['tenantId = "acme"'],
      residual: ['email contains "@corp"'],
      notes: [],
      keysOnly: false,
    });
  });

  it('matchers are frozen and print as JSON', () => {
    expect(Object.isFrozen(prefix('a'))).toBe(true);
    expect(JSON.stringify({ a: prefix('x'), b: oneOf([1, 2]) })).toBe('{"a":{"prefix":"x"},"b":{"oneOf":[1,2]}}');
    const values = ['a'];
    const m = oneOf(values);
    values.push('b');
    expect(m.values).toEqual(['a']);
  });
});

describe('explainPlan', () => {
  it('GET', () => {
    expect(explainPlan(plan({ tenantId: 'acme', id: 's1' }))).toBe(
      'find on entity "session": GET (every key field is a literal)\n  GET app:session:acme:s1\n  key: tenantId = "acme"; id = "s1"',
    );
  });

  it('MGET, with long key lists shortened', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const text = explainPlan(plan({ tenantId: 'acme', id: oneOf(ids) }, { batchSize: 5 }));
    expect(text).toContain('MGET of 12 keys (key fields are literals and oneOf, in batches of 5)');
    expect(text).toContain('  MGET app:session:acme:k0 app:session:acme:k1 app:session:acme:k2 app:session:acme:k3 app:session:acme:k4 ... (+7 more)');
    expect(text).toContain('id in ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", ... (12 values)]');
  });

  it('SCAN with key filter and residual', () => {
    const text = explainPlan(plan({ tenantId: 'acme', id: prefix('a1'), email: contains('@corp'), lastSeen: new Date('2026-01-01') }));
    expect(text.split('\n')).toEqual([
      'find on entity "session": SCAN (walks the keyspace, filtered by a glob)',
      '  SCAN 0 MATCH app:session:acme:a1* COUNT 1000 (repeated until the cursor is 0)',
      '  MGET each batch of matching keys (to read the values)',
      '  key filter: tenantId = "acme"; id starts with "a1"',
      '  residual: email contains "@corp"; lastSeen = 2026-01-01T00:00:00.000Z',
    ]);
  });

  it('index walks, the MGET cap note and empty plans', () => {
    expect(explainPlan(plan({ tenantId: 'acme' }, {}, indexed))).toContain(`ZRANGEBYLEX ${INDEX}:lex [app:session:acme: (app:session:acme:\\xff LIMIT 0 1000`);
    expect(explainPlan(plan({ tenantId: 'acme', id: suffix('9') }, {}, indexed))).toContain('glob filter: app:session:acme:*9');
    expect(explainPlan(plan({ id: 'x1' }, {}, indexed))).toContain(`ZSCAN ${INDEX} 0 MATCH app:session:*:x1 COUNT 1000`);
    // No key condition: the whole index in key order (a re-save meanwhile cannot move a member past the walk).
    expect(explainPlan(plan({}, { batchSize: 100 }, indexed))).toContain(`ZRANGEBYLEX ${INDEX}:lex [app:session: (app:session:\\xff LIMIT 0 100`);
    expect(explainPlan(plan({}, { batchSize: 100 }, indexed))).toContain('index walk in key order');
    expect(explainPlan(plan({}))).toContain('skipped by keys(), count() and delete()');
    expect(explainPlan(plan({ tenantId: oneOf(['a', 'b']), id: oneOf(['1', '2']) }, { maxMgetKeys: 3 }))).toContain(
      'note: The MGET product would be 4 keys, more than maxMgetKeys (3); scanning instead.',
    );
    expect(explainPlan(plan({ id: oneOf([]) }))).toBe(
      'find on entity "session": nothing to run (oneOf([]) on field "id" matches nothing)\n  key: id in []',
    );
  });
});
