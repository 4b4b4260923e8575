/**
 * Keys under a prefix on one Redis, for tests and benchmarks that clean up after themselves (never
 * FLUSHALL: the server may be shared). Free of vitest, so bench/ can use it too.
 */
import type { Redis } from 'ioredis';

/**
 * Every key matching `prefix:*` (SCAN, 1,000 at a time).
 *
 * @example
 * expect(await keysUnder(redis, 'demo')).toEqual([]);
 */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/**
 * Deletes every key matching `prefix:*` (UNLINK, one SCAN page at a time).
 *
 * @example
 * await dropKeysUnder(redis, prefix);
 */
export async function dropKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(keys);
  } while (cursor !== '0');
}
