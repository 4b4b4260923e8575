/**
 * The checks `inspect --entities` runs on the current keys of each declared entity: values that do not
 * decode or validate, TTLs that differ from the declared one, and index health (keys missing from the
 * index, index members without a key). Each counts what it checked and keeps a few example keys; values
 * are kept only for `--show-invalid`.
 */
import { EntityCodec, formatIssues } from '../codec/index.js';
import type { EntityMetadata } from '../entity/metadata.js';
import { KeyCodec } from '../keys/index.js';
import { IndexSets } from '../repository/index-sets.js';

/** Example keys kept per finding. */
export const EXAMPLES = 5;
/** A stored TTL may exceed the declared one by this much (ms) before it counts as a mismatch (clock and rounding). */
const TTL_SLACK_MS = 1000;
/** Characters of a value shown with `--show-invalid`. */
const VALUE_CHARS = 500;

/**
 * An entity of the `--entities` module, with the codecs the checks need.
 *
 * @example
 * const declared = declare(getEntityMetadata(Session), 'app');
 */
export interface Declared {
  /** Its metadata. */
  readonly metadata: EntityMetadata;
  /** Its key codec under the inspected prefix. */
  readonly keys: KeyCodec;
  /** Its value codec. */
  readonly codec: EntityCodec<unknown>;
  /** Its index sets (`find: 'index'` entities only). */
  readonly indexSets: IndexSets | undefined;
}

/**
 * The codecs of a declared entity under `prefix`.
 *
 * @example
 * declare(meta, 'app').keys.base; // 'app:session~v2:'
 */
export function declare(metadata: EntityMetadata, prefix: string): Declared {
  const keys = new KeyCodec({
    prefix,
    entity: metadata.name,
    ...(metadata.version === undefined ? {} : { version: metadata.version }),
    fields: metadata.keyFields,
    ...(metadata.hashTag.length === 0 ? {} : { hashTag: metadata.hashTag }),
  });
  return {
    metadata,
    keys,
    codec: new EntityCodec<unknown>(metadata),
    indexSets: metadata.find === 'index' ? new IndexSets(true, keys) : undefined,
  };
}

/**
 * One example of a finding: the key, why, and (only with `--show-invalid`) the stored value.
 *
 * @example
 * const example: Example = { key: 'app:session:acme:1', reason: 'email: Invalid email address' };
 */
export interface Example {
  /** The key. */
  key: string;
  /** What is wrong. */
  reason: string;
  /** The stored value (first 500 characters), only with `--show-invalid`. */
  value?: string;
}

/**
 * A count of findings among the items checked, with a few examples.
 *
 * @example
 * const t = new Tally(); t.check(); t.found({ key: 'k', reason: 'r' }); t.count; // 1
 */
export class Tally {
  /** Items checked. */
  checked = 0;
  /** Items with the finding. */
  count = 0;
  /** The first few of them. */
  readonly examples: Example[] = [];

  /** Counts one checked item. */
  check(): void {
    this.checked++;
  }

  /** Counts one finding. */
  found(example: Example): void {
    this.count++;
    if (this.examples.length < EXAMPLES) this.examples.push(example);
  }
}

/**
 * The checks of one declared entity's current keys.
 *
 * @example
 * const checks = new Checks(declared, false);
 * checks.entry('app:session:acme:1', raw, 1_700_000);
 */
export class Checks {
  /** Values (and keys) that do not decode or validate. */
  readonly invalid = new Tally();
  /** Stored TTLs that differ from the declared one. */
  readonly ttl = new Tally();
  /** Entity keys missing from their index set. */
  readonly unindexed = new Tally();
  /** Index members (live by their score) whose key does not exist. */
  readonly orphanMembers = new Tally();

  constructor(
    readonly declared: Declared,
    private readonly showValues: boolean,
  ) {}

  /** Checks one entry: its key, its value (`null`: vanished meanwhile, not counted) and its TTL. */
  entry(key: string, value: string | null, pttl: number): void {
    if (value === null) return;
    this.invalid.check();
    const reason = this.#invalidReason(key, value);
    if (reason !== undefined) this.invalid.found({ key, reason, ...(this.showValues ? { value: value.slice(0, VALUE_CHARS) } : {}) });
    this.ttl.check();
    const ttlReason = ttlMismatch(pttl, this.declared.metadata.ttlMs);
    if (ttlReason !== undefined) this.ttl.found({ key, reason: ttlReason });
  }

  #invalidReason(key: string, value: string): string | undefined {
    const { keys, codec, metadata } = this.declared;
    if (keys.decode(key) === undefined) {
      return `the key does not decode as entity "${metadata.name}" (wrong number of parts, or a part that fails its field's schema)`;
    }
    const result = codec.decode(value, key);
    if (result.ok) return undefined;
    // Never the parser's message: it may quote the value.
    return result.error.issues.length > 0
      ? `the value fails the schema: ${formatIssues(result.error.issues)}`
      : `the value is not superjson text of entity "${metadata.name}"`;
  }
}

/**
 * Why a stored TTL (`PTTL`: ms, -1 for none) does not fit the declared one (ms, `null` for `'never'`),
 * or `undefined` when it fits (it may be shorter: time passes, and `save(e, { ttl })` can shorten it).
 *
 * @example
 * ttlMismatch(-1, 60_000);     // 'no TTL, declared 1m'
 * ttlMismatch(30_000, 60_000); // undefined
 */
export function ttlMismatch(pttl: number, declaredMs: number | null): string | undefined {
  if (declaredMs === null) return pttl >= 0 ? `expires in ${formatMs(pttl)}, declared ttl 'never'` : undefined;
  if (pttl < 0) return `no TTL, declared ${formatMs(declaredMs)}`;
  if (pttl > declaredMs + TTL_SLACK_MS) return `${formatMs(pttl)} left, longer than the declared ${formatMs(declaredMs)}`;
  return undefined;
}

/**
 * A duration for people: `850ms`, `42s`, `29m`, `5h`, `7d` (rounded down to the largest whole unit, one
 * decimal below 10 of it).
 *
 * @example
 * formatMs(1_740_000); // '29m'
 */
export function formatMs(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) {
    if (ms >= size) {
      const value = ms / size;
      return `${value < 10 ? Math.floor(value * 10) / 10 : Math.floor(value)}${unit}`;
    }
  }
  return `${Math.round(ms)}ms`;
}
