/**
 * Running cacheorm's Lua scripts on Redis: `EVALSHA`, re-sent once with `EVAL` on `NOSCRIPT`.
 *
 * A call that got `NOSCRIPT` did not run, so re-sending it is safe. (ioredis' `defineCommand` is not used:
 * inside `multi()` it cannot re-send, so after a `SCRIPT FLUSH` part of a transaction would fail while
 * the rest applied.)
 *
 * The scripts never call `redis.setresp(3)`: what `redis.call` hands them and what they return reach the
 * client RESP2-shaped on RESP2 and RESP3 alike (ioredis 6 speaks RESP3 by default), whatever the
 * client's reply mapping (test/store/reply-shapes.test.ts).
 * @internal
 */
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script and its SHA1 (the `EVALSHA` name).
 *
 * @example
 * const ping = lua("return redis.call('PING')");
 * await evalScript(client, ping, [], []);
 */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

/**
 * A {@link LuaScript} from its source.
 *
 * @example
 * const ping = lua("return redis.call('PING')");
 */
export function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * One script argument: a string, or a Buffer for bytes that are not UTF-8 (e.g. a `0xFF` range bound).
 *
 * @example
 * const args: LuaArg[] = ['1000', Buffer.from([0xff])];
 */
export type LuaArg = string | Buffer;

function isNoScript(err: unknown): boolean {
  return /^NOSCRIPT\b/.test((err as Error | undefined)?.message ?? '');
}

/**
 * Runs `script` with `EVALSHA`, re-sending it with `EVAL` (which caches it again) when the server answers
 * `NOSCRIPT`.
 *
 * @example
 * const removed = await evalScript(client, INDEX_PRUNE, ['app:s#index', 'app:s#index:lex'], []);
 */
export async function evalScript(client: Redis | Cluster, script: LuaScript, keys: readonly string[], args: readonly LuaArg[]): Promise<unknown> {
  try {
    return await client.call('EVALSHA', [script.sha1, keys.length, ...keys, ...args]);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    return client.call('EVAL', [script.source, keys.length, ...keys, ...args]);
  }
}

/**
 * Runs `script` once per call in one pipeline (one round trip; each call atomic, the calls independent),
 * re-sending the calls that got `NOSCRIPT` with `EVAL`. Answers the replies in order; throws the first
 * error.
 *
 * @example
 * await evalScriptPipeline(client, UNLINK_INDEXED, [{ keys: ['i', 'l', 'a'], args: [] }, { keys: ['i', 'l', 'b'], args: [] }]);
 */
export async function evalScriptPipeline(
  client: Redis,
  script: LuaScript,
  calls: readonly { keys: readonly string[]; args: readonly LuaArg[] }[],
): Promise<unknown[]> {
  if (calls.length === 1) return [await evalScript(client, script, calls[0]!.keys, calls[0]!.args)];
  const send = async (command: 'EVALSHA' | 'EVAL', subset: readonly number[]) => {
    const pipeline = client.pipeline();
    for (const i of subset) {
      const { keys, args } = calls[i]!;
      pipeline.call(command, [command === 'EVAL' ? script.source : script.sha1, keys.length, ...keys, ...args]);
    }
    return (await pipeline.exec()) ?? [];
  };
  const results = await send('EVALSHA', calls.map((_, i) => i));
  const missing = results.flatMap(([error], i) => (isNoScript(error) ? [i] : []));
  if (missing.length > 0) (await send('EVAL', missing)).forEach((result, j) => (results[missing[j]!] = result));
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
