/**
 * Turns what ioredis throws into cacheorm's two store errors, with messages that say what to do and never
 * carry credentials or stored values.
 * @internal
 */
import { CacheOrmError, StoreError, StoreUnavailableError, redactCredentials } from '../../errors/index.js';
import { redactSecret } from '../../errors/redact.js';
import { WRITE_REDIS_COMMANDS } from '../commands.js';

/** Where a Redis store points, for messages. */
export interface RedisTarget {
  /** `host:port` or `unix socket <path>`; never a URL with credentials. */
  readonly address: string;
  /** The password in use, scrubbed from every text that reaches a message. */
  readonly secret?: string | undefined;
  /** The last connection error the store saw on a client it owns, if any (already scrubbed). */
  lastConnectionError?(): string | undefined;
}

/** What was being done when the error happened. */
export interface FailureContext {
  /** The command in upper case (`GET`, `SET`, `MULTI/EXEC`, ...). */
  readonly command: string;
  /** The single key concerned, if there is one. */
  readonly key?: string | undefined;
  readonly target: RedisTarget;
  /** A sentence appended to the message (e.g. what was and was not written). */
  readonly note?: string;
  /**
   * Whether the call changes data (the command table's `write` of its Store method); when absent, judged
   * from `command` (see `WRITE_REDIS_COMMANDS`).
   */
  readonly write?: boolean | undefined;
}

/**
 * Whether the failed call changed data, so its outcome is unknown when its connection failed midway.
 *
 * @example
 * isWrite({ command: 'EVALSHA', write: false, target }); // false: a getWithPttl script
 */
export function isWrite(context: FailureContext): boolean {
  return context.write ?? WRITE_REDIS_COMMANDS.has(context.command);
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  command?: unknown;
  previousErrors?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const CONNECTION_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /^Command timed out/,
  /^Reached the max retries per request limit/,
  /^connect (ECONNREFUSED|ETIMEDOUT)/,
  /^None of the sentinels are available/,
  // Redis Cluster (ioredis): redirections or retries exhausted (e.g. during a failover), client not ready or ended.
  /^Too many Cluster redirections/,
  /^Cluster isn't ready/,
  /^Cluster is (ended|disconnected|disconnecting)/,
  /^Failed to refresh slots cache/,
  /^None of startup nodes is available/,
  /^Node is disconnected/,
];

/**
 * Reply prefixes meaning "this server cannot serve you right now", not "this command is wrong" (`MOVED` /
 * `ASK`: a Redis Cluster slot is moving; the client follows them, so they only surface when it gave up).
 */
const UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|MOVED|ASK)\b/;
const AUTH_REPLIES = /^(NOAUTH|WRONGPASS)\b/;

const HINTS: readonly [RegExp, string][] = [
  [/^OOM\b/, 'Free memory or raise maxmemory, or set an eviction policy (maxmemory-policy, e.g. volatile-lru, which keeps the index sets of find: \'index\' entities).'],
  [/^READONLY\b/, 'This connection points at a read-only replica; connect cacheorm to the primary.'],
  [
    /^MISCONF\b/,
    'Redis stopped accepting writes because it cannot persist to disk; fix the disk problem (see the Redis log) ' +
      'or turn off stop-writes-on-bgsave-error.',
  ],
  [
    /^WRONGTYPE\b/,
    'A key cacheorm uses holds another data type, so another application may share the prefix; give cacheorm ' +
      'a dedicated prefix or delete that key.',
  ],
  [/^NOPERM\b/, "The Redis user is not allowed to run this command on this key; grant it in the user's ACL."],
];

/**
 * Maps an error thrown by ioredis to a {@link StoreError} (Redis refused the command) or a
 * {@link StoreUnavailableError} (Redis cannot be reached or cannot serve). cacheorm's own errors pass
 * through unchanged.
 *
 * The original error stays available as `cause`, but first loses the command arguments ioredis attaches
 * to it (`err.command.args`): they hold stored values and, for `AUTH`, the password, and loggers print
 * them.
 */
export function toStoreFailure(err: unknown, context: FailureContext): StoreError | StoreUnavailableError {
  if (err instanceof StoreError || err instanceof StoreUnavailableError) return err;
  if (err instanceof CacheOrmError) {
    return new StoreError(err.message, err.message, commandContext(context), { cause: err });
  }
  scrubArguments(err);
  const e: ErrorLike = typeof err === 'object' && err !== null ? err : {};
  const text = clean(typeof e.message === 'string' ? e.message : String(err), context.target);
  const note = context.note ? ` ${context.note}` : '';

  if (isReplyError(e)) {
    let redisMessage = text;
    let command = context.command;
    let batchNote = '';
    const first = Array.isArray(e.previousErrors) ? (e.previousErrors[0] as ErrorLike | undefined) : undefined;
    if (/^EXECABORT\b/.test(text)) {
      // Redis refused a command while queuing the transaction (e.g. OOM) and discarded all of it; the
      // real reason is that command's error, which ioredis keeps in `previousErrors`.
      if (first && typeof first.message === 'string') {
        redisMessage = clean(first.message, context.target);
        command = commandName(first) ?? command;
      }
      batchNote = ' The whole MULTI/EXEC batch was discarded: nothing was written.';
    }
    if (AUTH_REPLIES.test(redisMessage)) {
      return new StoreUnavailableError(
        `Redis at ${context.target.address} rejected the connection's credentials (${sentence(redisMessage)}). ` +
          'Check the username and password in the Redis URL or options.',
        commandContext(context, command),
        { cause: err },
      );
    }
    if (UNAVAILABLE_REPLIES.test(redisMessage)) {
      return new StoreUnavailableError(
        `Redis at ${context.target.address} cannot serve ${command} right now (${sentence(redisMessage)}). ` +
          `Retry later, and check the server's state if it persists.${note}`,
        commandContext(context, command),
        { cause: err },
      );
    }
    const hint = HINTS.find(([pattern]) => pattern.test(redisMessage))?.[1] ?? 'Check the Redis server log and configuration.';
    return new StoreError(
      `Redis refused ${command}: ${sentence(redisMessage)}.${batchNote}${note} ${hint}`,
      redisMessage,
      commandContext(context, command),
      { cause: err },
    );
  }

  if (isConnectionError(e, text)) {
    const last = context.target.lastConnectionError?.();
    const retries = e.name === 'MaxRetriesPerRequestError' ? /\(which is (\d+)\)/.exec(text)?.[1] : undefined;
    const reason =
      retries === '0'
        ? (last ?? 'the connection was lost')
        : retries !== undefined
        ? `${last ?? 'no connection'}; gave up after ${retries} retries, see the maxRetriesPerRequest option`
        : last && last !== text
          ? `${sentence(text)}; last connection error: ${last}`
          : sentence(text);
    const unknown = isWrite(context)
      ? ' The outcome of this write is unknown: it may have been applied before the connection failed, so re-read or rewrite the entry once Redis is back.'
      : '';
    return new StoreUnavailableError(
      `Redis is unreachable (${reason}) for ${context.command}. Check that Redis is running at ` +
        `${context.target.address} and reachable from this process.${note}${unknown}`,
      commandContext(context),
      { cause: err },
    );
  }

  return new StoreError(
    `Redis command ${context.command} failed: ${sentence(text)}.${note}`,
    text,
    commandContext(context),
    { cause: err },
  );
}

function commandContext(context: FailureContext, command = context.command): { command: string; operation: string; key?: string } {
  return context.key === undefined ? { command, operation: command } : { command, operation: command, key: context.key };
}

function isReplyError(e: ErrorLike): boolean {
  return e.name === 'ReplyError';
}

function isConnectionError(e: ErrorLike, text: string): boolean {
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'AbortError' || e.name === 'InterruptError') return true;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(text));
}

function commandName(e: ErrorLike): string | undefined {
  const command = e.command as { name?: unknown } | undefined;
  return typeof command?.name === 'string' ? command.name.toUpperCase() : undefined;
}

/** Replaces `err.command` (`{ name, args }`, set by ioredis) by `{ name }`, recursively for `previousErrors`. */
function scrubArguments(err: unknown, depth = 0): void {
  if (typeof err !== 'object' || err === null || depth > 2) return;
  const e = err as ErrorLike;
  if (typeof e.command === 'object' && e.command !== null && 'args' in e.command) {
    try {
      Object.defineProperty(err, 'command', {
        value: { name: (e.command as { name?: unknown }).name },
        enumerable: true,
        configurable: true,
        writable: true,
      });
    } catch {
      // A frozen error keeps its arguments; nothing else to do.
    }
  }
  if (Array.isArray(e.previousErrors)) for (const previous of e.previousErrors) scrubArguments(previous, depth + 1);
}

/** `text` without credentials: URL passwords and the store's password wherever it appears. */
export function clean(text: string, target: Pick<RedisTarget, 'secret'>): string {
  return redactCredentials(redactSecret(text, target.secret));
}

/** `text` without its final period, so it can sit inside a sentence. */
function sentence(text: string): string {
  return text.trim().replace(/\.+$/, '');
}

/**
 * The error of any call to a {@link RedisStore} after its `close()`.
 *
 * @example
 * if (closed) throw closedStoreError('GET');
 */
export function closedStoreError(command: string): StoreUnavailableError {
  return new StoreUnavailableError(
    'The RedisStore was closed. Create a new RedisStore (or cache) instead of using a closed one.',
    { command, operation: command },
  );
}
