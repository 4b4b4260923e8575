/** Helpers for tests that talk to the run's Redis: connections and unique prefixes. */
import { randomBytes } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import { afterAll, inject } from 'vitest';

/** The URL of the Redis this run uses (its own server, or REDIS_URL). */
export function redisUrl(): string {
  return inject('redisUrl');
}

/** A prefix no other test uses, so tests never see each other's keys and never need FLUSHALL. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/** An ioredis client to the run's Redis, closed after the file's tests. */
export function testRedis(): Redis {
  const client = new Redis(redisUrl(), { lazyConnect: false, maxRetriesPerRequest: 1 });
  afterAll(async () => {
    await client.quit().catch(() => client.disconnect());
  });
  return client;
}

/**
 * Redis `ZSCORE` as a number (`Infinity` for +inf), or `null`, whatever the client's protocol and reply
 * mapping (a number with ioredis 6's `replyMapping: 'resp3'`, a string otherwise).
 */
export async function zscore(client: Redis | Cluster, index: string, key: string): Promise<number | null> {
  const score: unknown = await client.zscore(index, key);
  if (typeof score === 'number' || score === null) return score;
  return score === 'inf' ? Number.POSITIVE_INFINITY : Number(score);
}
