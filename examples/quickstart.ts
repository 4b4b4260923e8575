/**
 * cacheorm quickstart: `npm run demo`.
 *
 * Runs on the embedded MemoryStore, or on Redis when REDIS_URL is set
 * (e.g. `REDIS_URL=redis://127.0.0.1:6379 npm run demo`). Deletes what it wrote before it exits.
 */
import 'reflect-metadata';
import { z } from 'zod';
import { CacheEntity, CacheKeys, Field, Key, ValidationError, contains, createCache, defineEntity } from 'cacheorm';

// 1. An entity declared with decorators. Every field names its zod schema; only decorated fields are stored.
@CacheEntity({ name: 'session', ttl: '30m' })
class Session {
  declare [CacheKeys]?: 'tenantId' | 'id'; // type-level only: makes get/delete require exactly these fields
  @Key(z.string()) tenantId!: string; // key parts, in declaration order
  @Key(z.uuid()) id!: string;
  @Field(z.email()) email!: string;
  @Field(z.date()) lastSeen!: Date; // superjson keeps Date, Set, Map, BigInt...
  @Field(z.set(z.string())) roles!: Set<string>;

  isAdmin(): boolean {
    return this.roles.has('admin');
  }
}

// 2. The same idea without decorators: types are inferred from the zod schema.
const Idempotency = defineEntity({
  name: 'idempotency',
  key: ['requestId'],
  schema: z.object({ requestId: z.string(), status: z.int(), body: z.string() }),
  ttl: '24h',
});

const step = (title: string) => console.log(`\n▸ ${title}`);
const show = (label: string, value: unknown) => console.log(`  ${label.padEnd(24)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ALICE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const BOB = '16fd2706-8baf-433b-82eb-8c7fada847da';
const CAROL = 'a8098c1a-f86e-41da-a2c4-cc2c3ddc8e1b';

const redisUrl = process.env.REDIS_URL;
const cache = redisUrl ? createCache({ redis: redisUrl, prefix: 'demo' }) : createCache({ prefix: 'demo' });
cache.on('error', (err) => console.error(`  (cache error event) ${err.code}: ${err.message}`));
console.log(`cacheorm demo on the ${cache.store.kind} store${redisUrl ? ' (REDIS_URL)' : ' (set REDIS_URL to use Redis)'}`);

const sessions = cache.getRepository(Session); // Repository<Session, 'tenantId' | 'id'>
const replies = cache.getRepository(Idempotency); // Repository<{ requestId; status; body }, 'requestId'>
const alice = { tenantId: 'acme', id: ALICE, email: 'alice@acme.test', lastSeen: new Date('2026-01-15T09:30:00Z'), roles: new Set(['admin', 'user']) };

try {
  step('save(): validate with zod, serialize with superjson, SET ... PX <ttl>');
  await sessions.save(alice);
  show('Redis key:', sessions.keyOf({ tenantId: 'acme', id: ALICE }));

  step('get(): GET, decode, validate, and return an instance of the class');
  const back = await sessions.get({ tenantId: 'acme', id: ALICE });
  show('instanceof Session:', back instanceof Session);
  show('isAdmin():', back?.isAdmin());
  show('lastSeen is a Date:', `${back?.lastSeen instanceof Date} (${back?.lastSeen.toISOString()})`);
  show('roles is a Set:', `${back?.roles instanceof Set} (${[...(back?.roles ?? [])].join(', ')})`);

  step('insert(): SET ... NX, writes only when the key is free');
  const bob = { tenantId: 'acme', id: BOB, email: 'bob@acme.test', lastSeen: new Date(), roles: new Set(['user']) };
  show('first insert:', await sessions.insert(bob));
  show('second insert:', await sessions.insert({ ...bob, email: 'impostor@acme.test' }));

  step('update(): SET ... XX KEEPTTL, writes only when the key exists');
  show('update bob:', await sessions.update({ ...bob, roles: new Set(['user', 'billing']) }));
  show('update carol (absent):', await sessions.update({ ...bob, id: CAROL }));

  step('getMany(): one MGET, answers in input order');
  const many = await sessions.getMany([ALICE, CAROL, BOB].map((id) => ({ tenantId: 'acme', id })));
  show('emails:', many.map((s) => s?.email ?? null));

  step('find(): typed find-by-pattern, compiled to GET / MGET / SCAN MATCH (user input never widens it)');
  const acmeTests = sessions.find({ tenantId: 'acme', email: contains('@acme.test') });
  console.log(acmeTests.explain().replace(/^/gm, '    '));
  show('matches:', (await acmeTests.toArray()).map((s) => s.email));
  show("find({ tenantId: '*' }):", await sessions.find({ tenantId: '*' }).count());

  step('ttl() and touch(): PTTL and PEXPIRE');
  show('ttl (ms):', await sessions.ttl({ tenantId: 'acme', id: ALICE }));
  show('touch(key, "1h"):', await sessions.touch({ tenantId: 'acme', id: ALICE }, '1h'));
  show('ttl after touch (ms):', await sessions.ttl({ tenantId: 'acme', id: ALICE }));

  step('getOrLoad(): cache-aside; concurrent callers of one key share one loader call');
  let loaderCalls = 0;
  const loadCarol = async () => {
    loaderCalls++;
    await sleep(50); // a slow database
    return { tenantId: 'acme', id: CAROL, email: 'carol@acme.test', lastSeen: new Date(), roles: new Set<string>() };
  };
  const [c1, c2] = await Promise.all([
    sessions.getOrLoad({ tenantId: 'acme', id: CAROL }, loadCarol),
    sessions.getOrLoad({ tenantId: 'acme', id: CAROL }, loadCarol),
  ]);
  show('both callers got:', [c1?.email, c2?.email]);
  show('loader calls:', loaderCalls);
  await sessions.getOrLoad({ tenantId: 'acme', id: CAROL }, loadCarol);
  show('after a third call:', `${loaderCalls} (served from the cache)`);

  step('Bad input: ValidationError, nothing written');
  try {
    await sessions.save({ ...alice, email: 'not-an-email' });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    show('code:', err.code);
    show('message:', err.message);
  }

  step('defineEntity(): the decorator-free form, same repository API');
  show('insert reply:', await replies.insert({ requestId: 'req-1', status: 201, body: '{"ok":true}' }));
  show('Redis key:', replies.keyOf({ requestId: 'req-1' }));
  show('get:', await replies.get({ requestId: 'req-1' }));

  step('delete(): UNLINK, answers how many existed');
  show('sessions deleted:', await sessions.delete([ALICE, BOB, CAROL].map((id) => ({ tenantId: 'acme', id }))));
  show('replies deleted:', await replies.delete({ requestId: 'req-1' }));
  show('alice exists:', await sessions.exists({ tenantId: 'acme', id: ALICE }));

  step('stats(): counters since the cache was created');
  show('stats:', cache.stats());
} finally {
  // Leave nothing behind even if a step failed (a no-op after the delete step above).
  await sessions.delete([ALICE, BOB, CAROL].map((id) => ({ tenantId: 'acme', id }))).catch(() => 0);
  await replies.delete({ requestId: 'req-1' }).catch(() => 0);
  // Waits for background work, then closes the store this cache created: the process can exit.
  await cache.close();
  console.log('\ncache closed.');
}
