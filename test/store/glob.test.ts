/**
 * compileGlob against the real thing: every pattern is also run through Redis (SCAN MATCH / KEYS on keys
 * under a unique prefix), and Redis' answer is the expected one.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGlob } from '../../src/store/index.js';
import { testRedis, uniquePrefix } from '../support/redis.js';

const redis = testRedis();

/** Keys (after the prefix) every tricky pattern is tried on. */
const KEYS = [
  '', 'a', 'b', 'c', 'd', 'e', '-', ']', '[', '\\', '^', '*', '?', '!', ':', 'ab', 'abc', 'a:b:c', 'a::c', 'a*b',
  'a?b', 'a[b', 'a\\b', 'a\\', 'é', 'éa', 'à', 'xyz', 'x:y:z', 'aab', 'ababab', 'a]', 'a-', 'A', '0', '9',
];

/** Patterns (after the prefix) covering every corner of the syntax. */
const PATTERNS = [
  '*', '**', 'a*', '*b', 'a*b', '*:*', 'a:*:c', 'a*:c', '?', '??', '???', 'a?c', '?:?:?', '[abc]', '[^abc]', '[a-c]',
  '[c-a]', '[^a-c]*', '[0-9]', '[A-Z]', '[]', '[]]', '[^]', '[^]]', '[]a]', '[a-]', '[a-]b', '[-a]', '[a\\]',
  '[a\\]]', '[\\]]', '[\\', '[', '[^', '[ab', '[a-', 'a[', 'a[b', '\\', 'a\\', '\\*', '\\?', '\\[', '\\a', '\\\\',
  'a\\*b', 'a\\?b', '[\\*]', '[*?]', '[\\^a]', '[!a]', '[\\\\]', '[a-c-e]', '[---]', '[^-]', 'x*y*z', '*a*a*b',
  '*b*b*b', 'a*\\', 'é', '?é', '??a', 'é*', '[é]', '[à-é]', '[a-é]', '[^é]*',
];

async function scanMatch(pattern: string): Promise<Set<string>> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) found.add(key);
  } while (cursor !== '0');
  return found;
}

/** Whether the server compares range bounds as signed chars (x86) — see the notes in glob.ts. */
let signedChars = true;

beforeAll(async () => {
  const info = await redis.info('server');
  signedChars = /^os:.*(x86_64|amd64|i[3-6]86)/m.test(info);
});

/** Non-ASCII bytes in a class range depend on the server's CPU; skip those where Redis differs. */
const portable = (pattern: string): boolean => signedChars || !/\[[^]*[^\x00-\x7f]/.test(pattern);

describe('compileGlob', () => {
  it('follows the documented semantics', () => {
    const cases: [pattern: string, key: string, matches: boolean][] = [
      ['cache:session:*', 'cache:session:acme:1', true], // * spans ':'
      ['cache:*:1', 'cache:session:acme:1', true],
      ['id:?', 'id:7', true],
      ['id:?', 'id:77', false],
      ['id:?', 'id:é', false], // é is two bytes
      ['id:??', 'id:é', true],
      ['[abc]', 'b', true],
      ['[^abc]', 'b', false],
      ['[a-c]', 'b', true],
      ['[c-a]', 'b', true], // reversed range
      ['[]', 'a', false], // ] right after [ closes the class
      ['[^]', 'a', true],
      ['[ab', 'b', true], // unterminated class: the rest of the pattern
      ['a\\*b', 'a*b', true],
      ['a\\*b', 'axb', false],
      ['[\\]]', ']', true],
      ['a\\', 'a\\', true], // trailing backslash is literal
      ['*', '', true], // SCAN/KEYS special-case *
      ['**', '', false],
      ['', '', true],
      ['', 'a', false],
    ];
    for (const [pattern, key, matches] of cases) expect([pattern, key, compileGlob(pattern)(key)]).toEqual([pattern, key, matches]);
  });

  it('agrees with Redis SCAN MATCH on tricky patterns', async () => {
    const base = `${uniquePrefix('glob')}:`;
    await redis.mset(...KEYS.flatMap((key) => [base + key, key]));
    const mismatches: string[] = [];
    try {
      for (const pattern of PATTERNS.filter(portable)) {
        const redisMatches = await scanMatch(base + pattern);
        const matches = compileGlob(base + pattern);
        for (const key of KEYS) {
          const expected = redisMatches.has(base + key);
          if (matches(base + key) !== expected) mismatches.push(`${JSON.stringify(pattern)} vs ${JSON.stringify(key)}: Redis says ${expected}`);
        }
      }
    } finally {
      await redis.unlink(...KEYS.map((key) => base + key));
    }
    expect(mismatches).toEqual([]);
  });

  it('agrees with Redis on random patterns and keys (property)', async () => {
    const alphabet = ['a', 'b', ':', '*', '?', '[', ']', '^', '-', '\\', 'é'];
    const text = (maxLength: number) => fc.array(fc.constantFrom(...alphabet), { maxLength }).map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(text(8), { minLength: 30, maxLength: 30 }),
        fc.array(text(10).filter(portable), { minLength: 20, maxLength: 20 }),
        async (keys, patterns) => {
          const base = `${uniquePrefix('globp')}:`;
          await redis.mset(...keys.flatMap((key) => [base + key, '1']));
          try {
            const pipeline = redis.pipeline();
            for (const pattern of patterns) pipeline.keys(base + pattern);
            const results = (await pipeline.exec()) ?? [];
            patterns.forEach((pattern, i) => {
              const [error, found] = results[i]!;
              expect(error).toBeNull();
              const redisMatches = new Set(found as string[]);
              const matches = compileGlob(base + pattern);
              for (const key of keys) {
                expect([pattern, key, matches(base + key)]).toEqual([pattern, key, redisMatches.has(base + key)]);
              }
            });
          } finally {
            await redis.unlink(...keys.map((key) => base + key));
          }
        },
      ),
      { numRuns: 10 },
    );
  });

  it('stops after 1000 nested stars like Redis does', async () => {
    const key = `${uniquePrefix('globn')}:${'x'.repeat(2_500)}`;
    await redis.set(key, '1');
    try {
      for (const stars of [1_000, 1_001, 1_002]) {
        for (const tail of ['', 'x']) {
          const pattern = `${key.slice(0, key.indexOf(':') + 1)}${'x*'.repeat(stars)}${tail}`;
          const redisMatches = (await redis.keys(pattern)).includes(key);
          expect([stars, tail, compileGlob(pattern)(key)]).toEqual([stars, tail, redisMatches]);
        }
      }
    } finally {
      await redis.unlink(key);
    }
  });

  it('never backtracks catastrophically', () => {
    const started = performance.now();
    expect(compileGlob('*a*a*a*a*a*a*a*a*a*b')('a'.repeat(20_000))).toBe(false);
    expect(compileGlob('*a*a*a*a*a*a*a*a*a*b')(`${'a'.repeat(20_000)}b`)).toBe(true);
    expect(compileGlob('*[ab]*?*a*?*b')('ab'.repeat(10_000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reuses one compiled matcher across many keys', () => {
    const matches = compileGlob('cache:session:acme:*');
    const keys = Array.from({ length: 100_000 }, (_, i) => `cache:session:${i % 2 ? 'acme' : 'globex'}:${i}`);
    expect(keys.filter(matches)).toHaveLength(50_000);
  });
});
