/**
 * EntityCodec on top of the compiled codec: the stored text is superjson's, byte for byte (checked in
 * a real Redis), values written by superjson are read, bad values are typed errors, decode never
 * throws.
 */
import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCache } from 'cacheorm';
import { EntityCodec } from '../../src/codec/index.js';
import { defineEntity, getEntityMetadata, type EntityMetadata } from '../../src/entity/index.js';
import { DecodeError, ValidationError } from '../../src/errors/index.js';
import { redisUrl, testRedis, uniquePrefix } from '../support/redis.js';
import { expectSame } from './arbitraries.js';

const schema = z.object({
  tenantId: z.string(),
  id: z.string(),
  email: z.email(),
  createdAt: z.date(),
  lastSeen: z.date(),
  balance: z.bigint(),
  roles: z.set(z.string()),
  flags: z.map(z.string(), z.boolean()),
  profile: z.object({ locale: z.string(), birthday: z.date().optional() }),
  devices: z.array(z.object({ id: z.string(), lastUsed: z.date() })),
  note: z.string().nullable(),
  nickname: z.string().optional(),
});
const Account = defineEntity({ name: 'account', key: ['tenantId', 'id'], schema, ttl: '1h' });
type AccountData = z.output<typeof schema>;

function account(id: string, overrides: Partial<AccountData> = {}): AccountData {
  return {
    tenantId: 'acme',
    id,
    email: `${id}@acme.test`,
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    lastSeen: new Date('2026-11-23T10:00:00.000Z'),
    balance: 12345678901234567890n,
    roles: new Set(['user', 'admin']),
    flags: new Map([['beta', true]]),
    profile: { locale: 'en-GB', birthday: new Date('1815-12-10T00:00:00.000Z') },
    devices: [{ id: 'd1', lastUsed: new Date('2026-11-20T08:00:00.000Z') }],
    note: null,
    nickname: undefined,
    ...overrides,
  };
}

const codec = new EntityCodec<AccountData>(getEntityMetadata(Account));

describe('EntityCodec', () => {
  it('writes exactly what superjson.stringify writes for the validated value', () => {
    const data = codec.validate(account('a1'), 'save');
    expect(codec.serialize(data)).toBe(superjson.stringify(data));
    const now = new Date();
    const shared = codec.validate(account('a2', { createdAt: now, lastSeen: now, nickname: 'n' }), 'save');
    expect(codec.serialize(shared)).toBe(superjson.stringify(shared));
  });

  it('reads what it wrote, what superjson wrote, and superjson text in another key order', () => {
    const data = codec.validate(account('a1'), 'save');
    for (const text of [codec.serialize(data), superjson.stringify(data), superjson.stringify({ ...data, id: data.id, tenantId: data.tenantId })]) {
      const decoded = codec.decode(text, 'k');
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expectSame(decoded.value, data);
    }
  });

  it('materializes decorated entities as instances of their class', () => {
    class AccountClass {
      describe(): string {
        return 'account';
      }
    }
    const metadata: EntityMetadata = { ...getEntityMetadata(Account), target: AccountClass };
    const classCodec = new EntityCodec<AccountClass>(metadata);
    const decoded = classCodec.decode(classCodec.serialize(classCodec.validate(account('a1'), 'save')), 'k');
    expect(decoded.ok && decoded.value instanceof AccountClass && decoded.value.describe()).toBe('account');
  });

  it('refuses keys superjson refuses with a ValidationError, writing nothing', () => {
    const Bag = defineEntity({ name: 'bag', key: ['id'], schema: z.object({ id: z.string(), attrs: z.record(z.string(), z.number()) }), ttl: '1m' });
    const bag = new EntityCodec(getEntityMetadata(Bag));
    const data = bag.validate({ id: 'b', attrs: { constructor: 1 } }, 'save');
    expect(() => bag.serialize(data)).toThrow(ValidationError);
    try {
      bag.serialize(data);
    } catch (error) {
      expect((error as ValidationError).code).toBe('E_VALIDATION');
      expect((error as ValidationError).message).toMatch(/cannot be serialized: Detected property constructor.*nothing was written/);
    }
  });

  it('decodes garbage and values of another shape as DecodeError, never throwing', () => {
    const cases: unknown[] = ['', 'nope', '{"json":', '{"json":{"id":1}}', superjson.stringify({ other: new Date(0) }), 42, null, undefined, {}];
    for (const raw of cases) {
      const decoded = codec.decode(raw as string, 'k');
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) {
        expect(decoded.error).toBeInstanceOf(DecodeError);
        expect(decoded.error.key).toBe('k');
      }
    }
  });

  it('validates with the same results and issues as the schema itself', () => {
    const bad = { ...account('x'), email: 'not-an-email', balance: 5 };
    let thrown: ValidationError | undefined;
    try {
      codec.validate(bad, 'save');
    } catch (error) {
      thrown = error as ValidationError;
    }
    const expected = schema.safeParse(bad);
    expect(expected.success).toBe(false);
    if (!expected.success) expect(thrown?.issues).toEqual(expected.error.issues);
  });
});

describe('EntityCodec through a repository on Redis', () => {
  const redis = testRedis();

  it('stores superjson text byte for byte, and reads values superjson wrote', async () => {
    const cache = createCache({ redis: redisUrl(), prefix: uniquePrefix('codec') });
    try {
      const repo = cache.getRepository(Account);
      const value = account('r1');
      await repo.save(value);
      const key = repo.keyOf(value);
      const stored = await redis.get(key);
      expect(stored).toBe(superjson.stringify(schema.parse(value)));

      // A value written by plain superjson (as cacheorm 0.1 did), keys in another order.
      const other = account('r2', { nickname: 'x' });
      const { id, ...rest } = schema.parse(other);
      await redis.set(repo.keyOf(other), superjson.stringify({ id, ...rest }), 'PX', 60_000);
      expectSame(await repo.get({ tenantId: 'acme', id: 'r2' }), schema.parse(other));
      expectSame(await repo.get({ tenantId: 'acme', id: 'r1' }), schema.parse(value));
    } finally {
      await cache.close();
    }
  });
});
