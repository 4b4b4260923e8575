/**
 * Framework-free injection: a hand-written composition root with a tiny typed container. Services take
 * their repositories as constructor arguments and know nothing about the container or about Redis;
 * `getCacheToken()` and `getRepositoryToken(Entity)` are the same string tokens `cacheorm/nestjs` uses,
 * and they carry their type, so `resolve` needs no cast.
 *
 *   npx tsx examples/plain-di.ts                                  # embedded memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/plain-di.ts # Redis (deletes what it wrote)
 */
import { z } from 'zod';
import { createCache, defineEntity, getCacheToken, getRepositoryToken, type Cache, type RepositoryOf, type Token } from 'cacheorm';

// ---- a minimal container: singletons built on first use, closed in reverse order ----
type Factory<T> = (container: Container) => T;

class Container {
  readonly #factories = new Map<string, Factory<unknown>>();
  readonly #instances = new Map<string, unknown>();
  readonly #closers: (() => Promise<void>)[] = [];

  register<T>(token: Token<T>, factory: Factory<T>, close?: (instance: T) => Promise<void>): this {
    this.#factories.set(token, (container) => {
      const instance = factory(container);
      if (close) this.#closers.push(() => close(instance));
      return instance;
    });
    return this;
  }

  resolve<T>(token: Token<T>): T {
    if (!this.#instances.has(token)) {
      const factory = this.#factories.get(token);
      if (!factory) throw new Error(`Nothing is registered for ${token}; register it in the composition root.`);
      this.#instances.set(token, factory(this));
    }
    return this.#instances.get(token) as T;
  }

  async close(): Promise<void> {
    for (const close of this.#closers.reverse()) await close();
  }
}

// ---- the domain: an entity and a service that only sees its repository ----
const Profile = defineEntity({
  name: 'profile',
  key: ['userId'],
  schema: z.object({ userId: z.string(), displayName: z.string(), plan: z.enum(['free', 'pro']), updatedAt: z.date() }),
  ttl: '10m',
});

class ProfileService {
  constructor(
    private readonly profiles: RepositoryOf<typeof Profile>,
    private readonly loadFromDatabase: (userId: string) => Promise<{ displayName: string; plan: 'free' | 'pro' }>,
  ) {}

  /** Cache-aside: the database is asked once per user until the entry expires or is invalidated. */
  get(userId: string) {
    return this.profiles.getOrLoad({ userId }, async () => ({ userId, ...(await this.loadFromDatabase(userId)), updatedAt: new Date() }));
  }

  invalidate(userId: string): Promise<number> {
    return this.profiles.delete({ userId });
  }
}

const PROFILE_SERVICE = 'app:profile-service' as Token<ProfileService>;

// ---- the composition root: the one place that knows how things are built ----
let databaseReads = 0;
function compose(env: { REDIS_URL?: string }): Container {
  return new Container()
    .register(getCacheToken(), () => createCache({ redis: env.REDIS_URL, prefix: 'di-example' }), (cache: Cache) => cache.close())
    .register(getRepositoryToken(Profile), (c) => c.resolve(getCacheToken()).getRepository(Profile))
    .register(PROFILE_SERVICE, (c) =>
      new ProfileService(c.resolve(getRepositoryToken(Profile)), async (userId) => {
        databaseReads++;
        return { displayName: userId === 'u1' ? 'Ann' : 'Bob', plan: 'pro' };
      }),
    );
}

const container = compose(process.env);
try {
  const cache = container.resolve(getCacheToken());
  console.log(`plain DI on the ${cache.store.kind} store`);
  console.log(`  cache token:       ${getCacheToken()}`);
  console.log(`  repository token:  ${getRepositoryToken(Profile)}`);

  const profiles = container.resolve(PROFILE_SERVICE);
  const first = await profiles.get('u1');
  const again = await profiles.get('u1');
  console.log(`  profile u1:        ${first?.displayName} (${first?.plan}), then ${again?.displayName} from the cache`);
  console.log(`  database reads:    ${databaseReads}`);
  console.log(`  same repository:   ${container.resolve(getRepositoryToken(Profile)) === cache.getRepository(Profile)}`);
  await profiles.invalidate('u1');
  await profiles.get('u1');
  console.log(`  after invalidate:  database reads ${databaseReads}`);
  await profiles.invalidate('u1');
} finally {
  await container.close(); // closes the cache, and the Redis client it created
  console.log('container closed.');
}
