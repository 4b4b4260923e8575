/**
 * Randomized differential test of field indexes (docs/find.md, "Field indexes"): thousands of random
 * saves, inserts, updates, touches, deletes, raw deletes (behind cacheorm's back) and expiries, on the
 * MemoryStore, Redis and Redis Cluster (plain keys: the split, non-atomic path; hash-tag keys: one
 * script per slot), then random patterns (equality, oneOf, ranges, key conditions, orderBy + limit)
 * compared with a brute-force filter of what must be live. Zero mismatches. Seeded: a failure prints
 * its seed, and FIELD_INDEX_SEED=<n> replays it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { between, defineEntity, gt, gte, lt, lte, oneOf, type Cache } from 'cacheorm';
import { encodeIndexValue } from '../../src/entity/field-index.js';
import { backends, clusterBackend, sleep } from '../support/backends.js';

const STRINGS = ['a', 'b', '*', '[x]', '\\', 'a:b', 'é', '😀', 'a\0b', ''] as const;
const schema = z.object({
  tenantId: z.enum(['t0', 't1', 't2']),
  id: z.int(),
  a: z.int(),
  s: z.string().optional(),
  d: z.date(),
  big: z.bigint(),
  flag: z.boolean(),
  plain: z.int(),
});
type Row = z.output<typeof schema>;
const entityFor = (hashTag: boolean) =>
  defineEntity({ name: 'diff', key: ['tenantId', 'id'], schema, ttl: '10m', indexes: ['a', 's', 'd', 'big', 'flag'], ...(hashTag ? { hashTag: ['tenantId'] as const } : {}) });

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const OPS = 2_400;
const ROUNDS = 6;
const QUERIES = 40;
const DAY = 86_400_000;

describe.each([...backends, clusterBackend])('field index differential on $name', (backend) => {
  beforeAll(async () => {
    await backend.ready?.();
  }, 90_000);

  describe.each([false, true])('hashTag: %s', (hashTag) => {
    let cache: Cache;
    const Diff = entityFor(hashTag);
    const repo = () => cache.getRepository(Diff);
    beforeAll(() => {
      cache = backend.cache();
    });
    afterAll(() => cache.close());

    it(`matches a brute-force filter after ${OPS} random writes, deletes and expiries`, async () => {
      const seed = Number(process.env.FIELD_INDEX_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const rnd = prng(seed);
      const int = (n: number) => Math.floor(rnd() * n);
      const pick = <T,>(list: readonly T[]): T => list[int(list.length)]!;
      const model = new Map<string, Row>(); // live rows by tenant:id; short-TTL ones are dropped after the pause
      const short = new Set<string>();
      const id = (r: { tenantId: string; id: number }) => `${r.tenantId}:${r.id}`;
      const randomRow = (): Row => ({
        tenantId: pick(['t0', 't1', 't2'] as const),
        id: int(120),
        a: int(10) - 3,
        ...(rnd() < 0.2 ? {} : { s: pick(STRINGS) }),
        d: new Date(Date.UTC(2026, 0, 1) + int(20) * DAY - int(3) * DAY * 400),
        big: BigInt(int(7) - 3) * 10n ** BigInt(int(25)),
        flag: rnd() < 0.5,
        plain: int(5),
      });
      let mismatches = 0;
      const applyRandom = async (row: Row, roll: number): Promise<void> => {
        const k = id(row);
        if (roll < 0.4) {
          const ttl = rnd() < 0.1 ? 20 : undefined;
          await repo().save(row, ttl === undefined ? undefined : { ttl });
          model.set(k, row);
          if (ttl === undefined) short.delete(k);
          else short.add(k);
        } else if (roll < 0.5) {
          if (await repo().insert(row)) {
            model.set(k, row);
            short.delete(k);
          } else expect(model.has(k) || short.has(k)).toBe(true);
        } else if (roll < 0.6) {
          if (await repo().update(row)) model.set(k, row); // update keeps the TTL: a short-lived row stays short-lived
        } else if (roll < 0.7) {
          await repo().delete(row);
          model.delete(k);
          short.delete(k);
        } else if (roll < 0.78) {
          await cache.store.unlink([repo().keyOf(row)]); // raw UNLINK: the index is not told
          model.delete(k);
          short.delete(k);
        } else if (roll < 0.85) {
          if (await repo().touch(row, '10m')) short.delete(k);
        } else {
          await repo().get(row);
        }
      };
      for (let round = 0; round < ROUNDS; round++) {
        // Chunks of up to 16 ops on distinct keys run concurrently (one tick, one socket write: the
        // store's batching paths); ops on one key stay in order, so the model knows the outcome.
        for (let done = 0; done < OPS / ROUNDS; ) {
          const chunk = new Map<string, Row>();
          while (chunk.size < 16 && done + chunk.size < OPS / ROUNDS) {
            const row = randomRow();
            chunk.set(id(row), row);
          }
          done += chunk.size;
          await Promise.all([...chunk.values()].map((row) => applyRandom(row, rnd())));
        }
        await sleep(60); // every short TTL has passed
        for (const k of short) model.delete(k);
        short.clear();
        const live = [...model.values()];
        for (let q = 0; q < QUERIES; q++) {
          const { pattern, test, orderBy } = randomQuery(rnd, int, pick);
          const limit = orderBy !== undefined && rnd() < 0.7 ? 1 + int(15) : undefined;
          const query = repo().find(pattern as never, { ...(orderBy ? { orderBy } : {}), ...(limit ? { limit } : {}) } as never);
          const got = (await query.toArray()) as Row[];
          const expected = live.filter(test);
          const label = `seed ${seed}, round ${round}, query ${q}: ${query.explain().split('\n')[0]}; ${JSON.stringify(pattern, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))} ${JSON.stringify(orderBy)} limit ${limit}`;
          let ok: boolean;
          if (orderBy === undefined) {
            ok = sameIds(got.map(id), expected.map(id));
          } else {
            const [field, dir] = Object.entries(orderBy)[0]! as [keyof Row, 'asc' | 'desc'];
            const want = expected.map((r) => r[field]).sort((x, y) => cmp(x, y) * (dir === 'asc' ? 1 : -1)).slice(0, limit ?? Infinity);
            ok = sameList(got.map((r) => r[field]), want) && got.every((r) => test(r) && model.has(id(r)) && sameRow(model.get(id(r))!, r));
            if (limit === undefined) ok &&= sameIds(got.map(id), expected.map(id));
          }
          if (!ok) {
            mismatches++;
            console.error(`MISMATCH ${label}\n  got ${got.map(id).join(' ')}\n  want ${expected.map(id).join(' ')}`);
          }
        }
      }
      // The index itself: every live entity listed exactly once per indexed field, under its current value
      // (so no old value lingers), and nothing else.
      const live = [...model.values()];
      const sets = new Set(live.map((r) => repo().indexKeyOf(r)!));
      for (const [field, kind] of [['a', 'number'], ['s', 'string'], ['d', 'date'], ['big', 'bigint'], ['flag', 'boolean']] as const) {
        const listed = new Map<string, string>();
        for (const index of sets) {
          for await (const hits of cache.store.fieldScan(index, { field })) {
            for (const [key, value] of hits) {
              expect(listed.has(key), `${key} listed twice under ${field} (seed ${seed})`).toBe(false);
              listed.set(key, value);
            }
          }
        }
        const want = new Map(live.flatMap((r) => {
          const value = encodeIndexValue(kind, r[field]);
          return value === undefined ? [] : [[repo().keyOf(r), value] as const];
        }));
        expect(new Map([...listed].sort()), `field ${field} (seed ${seed})`).toEqual(new Map([...want].sort()));
      }
      expect(mismatches, `seed ${seed}`).toBe(0);
    }, 240_000);
  });
});

function cmp(x: unknown, y: unknown): number {
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  const a = x instanceof Date ? x.getTime() : x;
  const b = y instanceof Date ? y.getTime() : y;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}
const norm = (v: unknown) => (v instanceof Date ? v.getTime() : v);
const sameList = (a: unknown[], b: unknown[]) => a.length === b.length && a.every((v, i) => norm(v) === norm(b[i]));
const sameIds = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('|') === [...b].sort().join('|');
const sameRow = (a: Row, b: Row) => a.a === b.a && a.s === b.s && a.d.getTime() === b.d.getTime() && a.big === b.big && a.flag === b.flag && a.plain === b.plain;

type Query = { pattern: Record<string, unknown>; test: (r: Row) => boolean; orderBy?: Record<string, 'asc' | 'desc'> };

/** A random pattern of 1-3 conditions (a later one on the same field replaces the earlier), its brute-force test, sometimes an orderBy. */
function randomQuery(rnd: () => number, int: (n: number) => number, pick: <T>(list: readonly T[]) => T): Query {
  const pattern: Record<string, unknown> = {};
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY);
  for (let i = 0, n = 1 + int(3); i < n; i++) {
    switch (int(9)) {
      case 0:
        pattern.a = int(10) - 3;
        break;
      case 1:
        pattern.s = oneOf([pick(STRINGS), pick(STRINGS)]);
        break;
      case 2: {
        const lo = int(10) - 4;
        pattern.a = between(lo, lo + int(5));
        break;
      }
      case 3: {
        const at = day(int(20) - int(3) * 400);
        pattern.d = rnd() < 0.5 ? gte(at) : lt(at);
        break;
      }
      case 4: {
        const b = BigInt(int(7) - 3) * 10n ** BigInt(int(25));
        pattern.big = rnd() < 0.5 ? gt(b) : lte(b);
        break;
      }
      case 5:
        pattern.flag = rnd() < 0.5;
        break;
      case 6:
        pattern.tenantId = pick(['t0', 't1', 't2'] as const);
        break;
      case 7:
        pattern.plain = int(5);
        break;
      default:
        pattern.s = pick(STRINGS);
    }
  }
  const test = (r: Row) => Object.entries(pattern).every(([field, cond]) => holds(field as keyof Row, cond, r));
  const orderBy = rnd() < 0.35 ? { [pick(['a', 'd', 'big', 's'] as const)]: rnd() < 0.5 ? ('asc' as const) : ('desc' as const) } : undefined;
  return { pattern, test, ...(orderBy ? { orderBy } : {}) };
}

/** The brute-force meaning of one condition (literal, oneOf, range) on a row. */
function holds(field: keyof Row, cond: unknown, r: Row): boolean {
  const v = r[field];
  if (typeof cond === 'object' && cond !== null && !(cond instanceof Date)) {
    const m = cond as { values?: unknown[]; lower?: { value: unknown; inclusive: boolean }; upper?: { value: unknown; inclusive: boolean } };
    if (m.values) return v !== undefined && m.values.includes(v);
    if (v === undefined) return false;
    if (m.lower && !(cmp(v, m.lower.value) > 0 || (cmp(v, m.lower.value) === 0 && m.lower.inclusive))) return false;
    if (m.upper && !(cmp(v, m.upper.value) < 0 || (cmp(v, m.upper.value) === 0 && m.upper.inclusive))) return false;
    return true;
  }
  return norm(v) === norm(cond);
}
