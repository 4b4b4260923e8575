/**
 * Caches and entity versions sharing one Redis never read, return or delete each other's entries: a
 * prefix is one segment (so no prefix nests in another), and a version lives in the entity segment
 * (`session~v2`), where no key part of an unversioned entity can be.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createCache, defineEntity } from 'cacheorm';
import { dropKeysUnder } from '../support/keys.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';

const redis = testRedis();
const root = uniquePrefix('ns');
const caches: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  await dropKeysUnder(redis, root);
  for (const p of [`${root}.user`, `${root}-user`]) await dropKeysUnder(redis, p);
});

function cache(prefix: string) {
  const created = createCache({ redis: redisUrl(), prefix });
  caches.push(created);
  return created;
}

/** Cache A's `user` entity: a key (section, id), so B's `settings:42` would have decoded as one. */
const User = defineEntity({ name: 'user', key: ['section', 'id'], schema: z.object({ section: z.string(), id: z.string(), name: z.string() }), ttl: '1h' });
const Settings = defineEntity({ name: 'settings', key: ['id'], schema: z.object({ id: z.string(), theme: z.enum(['dark', 'light']) }), ttl: '1h' });

describe('prefixes', () => {
  it('a prefix with ":" (one that could nest in another) is refused, saying what to use instead', () => {
    for (const [prefix, dotted, dashed] of [[`${root}:user`, `${root}.user`, `${root}-user`], ['myapp:cache', 'myapp.cache', 'myapp-cache']] as const) {
      let error: unknown;
      try {
        cache(prefix);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'E_CONFIG' });
      expect((error as Error).message).toMatch(/must not contain ":".*Join its parts with "\.", "-" or "_" instead/);
      expect((error as Error).message).toContain(`e.g. "${dotted}" or "${dashed}"`);
    }
  });

  it.each(['.', '-'])('caches "%s"-joined under one root see none of each other\'s entries on Redis', async (joiner) => {
    const a = cache(root).getRepository(User);
    const b = cache(`${root}${joiner}user`).getRepository(Settings);
    await b.save({ id: '42', theme: 'dark' });
    await a.save({ section: 'settings', id: '7', name: 'Ann' });

    expect(await a.get({ section: 'settings', id: '42' })).toBeUndefined();
    expect(await a.find({}).toArray()).toEqual([{ section: 'settings', id: '7', name: 'Ann' }]);
    expect(await a.find({ section: 'settings' }).count()).toBe(1);
    expect(await a.find({}).delete()).toBe(1);
    expect(await b.get({ id: '42' })).toEqual({ id: '42', theme: 'dark' }); // B's entry survived A's reads and deletes
    await b.delete({ id: '42' });
  });
});

describe('versions', () => {
  const schema = z.object({ kind: z.string(), id: z.string(), data: z.string() });
  /** Unversioned, keyed (kind, id): the key part 'v2' used to read as the version segment of Session v2. */
  const Old = defineEntity({ name: 'session', key: ['kind', 'id'], schema, ttl: '1h' });
  const New = defineEntity({ name: 'session', version: 2, key: ['id'], schema: z.object({ id: z.string(), user: z.number() }), ttl: '1h' });

  it('an unversioned entity and version 2 of it never share a key', async () => {
    const before = cache(`${root}-v`);
    const after = cache(`${root}-v`);
    const oldRepo = before.getRepository(Old);
    const newRepo = after.getRepository(New);

    await newRepo.save({ id: 'a', user: 1 });
    const invalid: unknown[] = [];
    before.on('invalid', (event) => invalid.push(event));
    expect(await oldRepo.get({ kind: 'v2', id: 'a' })).toBeUndefined();
    expect(await oldRepo.find({}).toArray()).toEqual([]);
    expect(await oldRepo.find({ kind: 'v2' }).delete()).toBe(0);
    expect(invalid).toEqual([]);
    expect(await newRepo.get({ id: 'a' })).toEqual({ id: 'a', user: 1 });

    await oldRepo.save({ kind: 'v2', id: 'a', data: 'old' });
    expect(await newRepo.find({}).toArray()).toEqual([{ id: 'a', user: 1 }]);
    expect(await oldRepo.get({ kind: 'v2', id: 'a' })).toEqual({ kind: 'v2', id: 'a', data: 'old' });
    expect(newRepo.keyOf({ id: 'a' })).toBe(`${root}-v:session~v2:a`);
    expect(oldRepo.keyOf({ kind: 'v2', id: 'a' })).toBe(`${root}-v:session:v2:a`);
    await dropKeysUnder(redis, `${root}-v`);
  });
});
