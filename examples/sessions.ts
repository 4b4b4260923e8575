/**
 * A Pow-style session store: per-tenant sessions, list a tenant's (or a user's) sessions with find(),
 * revoke them all with find().delete(), sliding and automatic expiry.
 *
 *   npx tsx examples/sessions.ts                                  # embedded memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/sessions.ts # Redis (deletes what it wrote)
 *
 * Pow keeps sessions under namespaced keys with a TTL and lists them with SCAN; it moved to per-entity
 * index sets when SCAN over a large database got slow. `find: 'index'` is that index set.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CacheEntity, CacheKeys, createCache, Field, Key, type Repository, type Ttl } from 'cacheorm';

@CacheEntity({ name: 'session', ttl: '30m', find: 'index' })
class Session {
  declare [CacheKeys]?: 'tenantId' | 'userId' | 'token';
  @Key(z.string()) tenantId!: string; // key order matters: tenant, then user, then token,
  @Key(z.string()) userId!: string; //   so "a tenant's" and "a user's" sessions are key prefixes
  @Key(z.string()) token!: string;
  @Field(z.string()) userAgent!: string;
  @Field(z.date()) createdAt!: Date;
}

/** What the application calls: sign in, fetch (sliding expiry), list, revoke. */
class SessionStore {
  constructor(private readonly sessions: Repository<Session>) {}

  /** Creates a session and answers its token. `ttl` overrides the entity's 30 minutes. */
  async signIn(tenantId: string, userId: string, userAgent: string, ttl?: Ttl): Promise<string> {
    const token = randomBytes(12).toString('base64url');
    await this.sessions.save({ tenantId, userId, token, userAgent, createdAt: new Date() }, ttl === undefined ? {} : { ttl });
    return token;
  }

  /** The session, with its TTL restarted (sliding expiration); `undefined` once expired or revoked. */
  async fetch(tenantId: string, userId: string, token: string): Promise<Session | undefined> {
    const session = await this.sessions.get({ tenantId, userId, token });
    if (session) await this.sessions.touch({ tenantId, userId, token });
    return session;
  }

  ofTenant(tenantId: string): Promise<Session[]> {
    return this.sessions.find({ tenantId }).toArray();
  }

  ofUser(tenantId: string, userId: string): Promise<Session[]> {
    return this.sessions.find({ tenantId, userId }).toArray();
  }

  signOut(tenantId: string, userId: string, token: string): Promise<number> {
    return this.sessions.delete({ tenantId, userId, token });
  }

  /** "Sign out everywhere" for one user. */
  revokeUser(tenantId: string, userId: string): Promise<number> {
    return this.sessions.find({ tenantId, userId }).delete();
  }

  /** Revokes every session of a tenant, e.g. after a security incident. */
  revokeTenant(tenantId: string): Promise<number> {
    return this.sessions.find({ tenantId }).delete();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const show = (label: string, value: unknown) => console.log(`  ${label.padEnd(34)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
const list = (sessions: Session[]) => sessions.map((s) => `${s.userId}@${s.userAgent}`).sort();

const redisUrl = process.env.REDIS_URL;
const cache = createCache({ redis: redisUrl, prefix: 'sessions-example' }); // no REDIS_URL: memory store
cache.on('error', (err) => console.error(`cache error ${err.code}: ${err.message}`));
console.log(`session store on the ${cache.store.kind} store`);
const store = new SessionStore(cache.getRepository(Session));

try {
  console.log('\n▸ sign in: one key per session, <prefix>:session:<tenant>:<user>:<token>');
  const annLaptop = await store.signIn('acme', 'ann', 'laptop');
  await store.signIn('acme', 'ann', 'phone');
  await store.signIn('acme', 'bob', 'laptop');
  await store.signIn('globex', 'gil', 'tablet');
  show('key of ann@laptop:', cache.getRepository(Session).keyOf({ tenantId: 'acme', userId: 'ann', token: annLaptop }));
  show('fetch ann@laptop:', (await store.fetch('acme', 'ann', annLaptop))?.userAgent);

  console.log('\n▸ list with find(): a key prefix, answered from the index set');
  show('acme sessions:', list(await store.ofTenant('acme')));
  show("ann's sessions:", list(await store.ofUser('acme', 'ann')));
  show('plan:', cache.getRepository(Session).find({ tenantId: 'acme' }).explain().split('\n')[0]);

  console.log('\n▸ revoke');
  show("sign out everywhere (ann):", await store.revokeUser('acme', 'ann'));
  show('acme sessions left:', list(await store.ofTenant('acme')));
  show('revoke tenant acme:', await store.revokeTenant('acme'));
  show('acme sessions left:', list(await store.ofTenant('acme')));
  show('globex sessions:', list(await store.ofTenant('globex')));

  console.log('\n▸ automatic expiry: a session with a 300 ms TTL');
  const brief = await store.signIn('globex', 'kim', 'kiosk', 300);
  show('globex sessions right away:', list(await store.ofTenant('globex')));
  await sleep(450);
  show('fetch kim@kiosk after 450 ms:', (await store.fetch('globex', 'kim', brief))?.userAgent ?? 'gone (expired)');
  show('globex sessions after 450 ms:', list(await store.ofTenant('globex')));
} finally {
  await store.revokeTenant('acme').catch(() => 0);
  await store.revokeTenant('globex').catch(() => 0);
  await cache.close(); // closes what the cache created: the process can exit
  console.log('\ncache closed.');
}
