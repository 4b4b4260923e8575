/** The bounded accumulators of `inspect`: the reservoir sample, TTL statistics, index roles, group sorting. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEntityBase } from '../../src/keys/index.js';
import { Group, Groups, Measured, MAX_GROUPS, Reservoir } from '../../src/cli/groups.js';

describe('Reservoir', () => {
  it('keeps at most `size` items, each item of the stream equally likely', () => {
    const hits = new Array<number>(10).fill(0);
    for (let run = 0; run < 2000; run++) {
      const r = new Reservoir<number>(3);
      for (let i = 0; i < 10; i++) r.offer(i);
      expect(r.items).toHaveLength(3);
      expect(r.seen).toBe(10);
      for (const i of r.items) hits[i]!++;
    }
    // Each of the 10 items is kept with probability 3/10: 600 of 2000 runs (generous bounds, no flakes).
    for (const h of hits) {
      expect(h).toBeGreaterThan(450);
      expect(h).toBeLessThan(750);
    }
  });
});

describe('Measured', () => {
  it('counts keys without TTL, min/max exactly, and the median of the TTLs', () => {
    const m = new Measured();
    for (const [ttl, bytes] of [[-1, 10], [5, 1], [1, 1], [3, 1], [9, 1]] as const) m.add(ttl, bytes);
    expect(m).toMatchObject({ count: 5, bytes: 14, withoutTtl: 1, ttlMin: 1, ttlMax: 9 });
    expect(m.median()).toBe(4); // of 1, 3, 5, 9
    expect(new Measured().median()).toBeNull();
  });
});

describe('Groups', () => {
  it('sorts entity keys and index keys into groups, the rest into other', () => {
    const groups = new Groups('app', 10);
    expect(groups.classify('app:session~v2:acme:1')).toMatchObject({ index: false, group: { entity: 'session', version: 2, base: 'app:session~v2' } });
    expect(groups.classify('app:session~v2#index')).toMatchObject({ index: true, group: { entity: 'session', version: 2 } });
    expect(groups.classify('app:session:acme:1')).toMatchObject({ group: { entity: 'session', version: undefined } });
    expect(groups.classify('app:9lives')).toBeUndefined();
    expect(groups.classify('app:session~v0:x')).toBeUndefined();
    expect(groups.other).toBe(2);
    expect(groups.byBase.size).toBe(2);
  });

  it("keeps an unversioned entity's keys whose first part is the text v1 in its own group, apart from ~v1", () => {
    const groups = new Groups('app', 10);
    const versioned = groups.classify('app:user~v1:x')!.group;
    const unversioned = groups.classify('app:user:v1:x')!.group;
    expect(versioned).toMatchObject({ entity: 'user', version: 1, base: 'app:user~v1' });
    expect(unversioned).toMatchObject({ entity: 'user', version: undefined, base: 'app:user' });
    expect(groups.classify('app:user:v1#x')!.group).toBe(unversioned);
    expect(groups.classify('app:user~v1:v1')!.group).toBe(versioned);
  });

  it(`tracks at most ${MAX_GROUPS} groups; keys of more count as other`, () => {
    const groups = new Groups('app', 1);
    for (let i = 0; i <= MAX_GROUPS; i++) groups.classify(`app:e${i}:1`);
    expect(groups.byBase.size).toBe(MAX_GROUPS);
    expect(groups.other).toBe(1);
  });

  it('tells index sets from their lexicographic companions and the registry', () => {
    const g = new Group('session', undefined, 'app:session', 1);
    expect(g.roleOf('app:session#index')).toBe('set');
    expect(g.roleOf('app:session#index:lex')).toBe('lex');
    expect(g.roleOf('app:session#index:{acme}')).toBe('set');
    expect(g.roleOf('app:session#index:{acme}:lex')).toBe('lex');
    expect(g.roleOf('app:session#index:lex{app:session#index}')).toBe('lex');
    expect(g.roleOf('app:session#tags')).toBe('registry');
  });

  it('answers what parseEntityBase reads, also on the fast path of groups already seen', () => {
    const segment = fc.constantFrom('session', 'session~v2', 'session~v1', 'session~v10', 'session~v02', 'session~', 'session~vx', 'v2', '~v2', 'v', 'acme', '{t}', '1', '');
    const key = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom(':', '#')).map(([parts, sep]) => {
      const [head, ...rest] = parts;
      return `app:${head}${rest.length > 0 ? sep : ''}${rest.join(':')}`;
    });
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 40 }), (keys) => {
        const groups = new Groups('app', 1);
        for (const k of [...keys, ...keys]) {
          const parsed = parseEntityBase('app', k);
          const found = groups.classify(k);
          if (parsed === undefined) expect(found, k).toBeUndefined();
          else expect([found!.group.entity, found!.group.version, found!.group.base, found!.index], k).toEqual([parsed.entity, parsed.version, parsed.base, parsed.separator === '#']);
        }
      }),
      { numRuns: 300 },
    );
  });
});
