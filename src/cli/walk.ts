/**
 * The walk behind `inspect`: `SCAN MATCH <prefix>:* COUNT 1000` on every node (every master of a cluster,
 * in parallel), each key sorted into its group; then the per-key measurements (`PTTL`, `MEMORY USAGE`,
 * and `GET` for the checks of declared entities) on each group's sample, or on every key page by page with
 * `--all`. Read-only: only `SCAN`, `PTTL`, `MEMORY USAGE`, `GET`, `ZCARD`, `ZSCAN`, `ZSCORE`, `EXISTS`,
 * `DBSIZE` and `INFO` are sent.
 */
import type { Redis } from 'ioredis';
import { onNode, type Connection } from './connect.js';
import { Checks, type Declared } from './checks.js';
import { Groups, type Group, type Located } from './groups.js';

/** `SCAN COUNT`. */
export const SCAN_COUNT = 1000;
/** Keys measured per pipeline (bounds the values held at once). */
const CHUNK = 200;

/**
 * What to measure.
 *
 * @example
 * const options: WalkOptions = { prefix: 'app', sample: 1000, declared: new Map(), showValues: false };
 */
export interface WalkOptions {
  /** The key prefix. */
  prefix: string;
  /** Keys measured per group, or `'all'` for every key. */
  sample: number | 'all';
  /** Declared entities by name (`--entities`). */
  declared: ReadonlyMap<string, Declared>;
  /** Keep invalid values for the report (`--show-invalid`). */
  showValues: boolean;
  /** Called after each SCAN page with the fraction walked (estimated from DBSIZE) and the keys seen. */
  progress?: (fraction: number, scanned: number) => void;
}

/**
 * The outcome of a walk: every group, the checks of declared entities' current groups, and counts.
 *
 * @example
 * const walked = await walk(conn, options); walked.groups.byBase.size;
 */
export interface Walked {
  /** The groups and the `other` count. */
  groups: Groups;
  /** Checks per group base (declared entities' current versions only). */
  checks: Map<string, Checks>;
  /** Keys listed under the prefix. */
  scanned: number;
}

/**
 * Walks the keyspace of `conn` under `options.prefix` and measures it.
 *
 * @example
 * const walked = await walk(conn, { prefix: 'app', sample: 1000, declared: new Map(), showValues: false });
 */
export async function walk(conn: Connection, options: WalkOptions): Promise<Walked> {
  const { declared, prefix } = options;
  const groups = new Groups(prefix, options.sample === 'all' ? 0 : options.sample);
  const checks = new Map<string, Checks>();
  const checksOf = (group: Group): Checks | undefined => {
    const own = declared.get(group.entity);
    if (own === undefined || own.metadata.version !== group.version) return undefined;
    let found = checks.get(group.base);
    if (found === undefined) checks.set(group.base, (found = new Checks(own, options.showValues)));
    return found;
  };
  const all = options.sample === 'all';
  const sizes = await Promise.all(conn.nodes.map((node) => node.dbsize().catch(() => 0)));
  const total = Math.max(1, sizes.reduce((a, b) => a + b, 0));
  let scanned = 0;
  let walked = 0;
  const match = `${prefix}:*`;

  await Promise.all(
    conn.nodes.map(async (node) => {
      let pending = node.scan('0', 'MATCH', match, 'COUNT', SCAN_COUNT);
      let page: Promise<void> | undefined;
      for (;;) {
        const [next, keys] = await pending;
        // Ask for the next page before sorting this one, so Redis and this process work at once.
        if (next !== '0') pending = node.scan(next, 'MATCH', match, 'COUNT', SCAN_COUNT);
        scanned += keys.length;
        walked += SCAN_COUNT;
        const entries = new Map<Group, string[]>();
        const indexes = new Map<Group, string[]>();
        for (const key of keys) {
          const found = groups.classify(key);
          if (found === undefined) continue;
          const { group, index } = found;
          if (index) {
            group.indexKeys[group.roleOf(key)]++;
            if (all) push(indexes, group, key);
            else group.indexSample.offer({ key, node });
          } else {
            group.keys++;
            if (all) push(entries, group, key);
            else {
              const slot = group.sample.take();
              if (slot >= 0) group.sample.items[slot] = { key, node };
            }
          }
        }
        if (all) {
          if (page) await page;
          page = measurePage(conn, node, entries, indexes, checksOf, true);
        }
        options.progress?.(next === '0' ? 1 : Math.min(0.99, walked / total), scanned);
        if (next === '0') break;
      }
      if (page) await page;
    }),
  );

  if (!all) {
    for (const group of groups.byBase.values()) {
      await measureSample(conn, group, group.sample.items, false, checksOf(group));
      await measureSample(conn, group, group.indexSample.items, true, checksOf(group));
    }
  }
  return { groups, checks, scanned };
}

function push(map: Map<Group, string[]>, group: Group, key: string): void {
  const list = map.get(group);
  if (list) list.push(key);
  else map.set(group, [key]);
}

async function measurePage(
  conn: Connection,
  node: Redis,
  entries: Map<Group, string[]>,
  indexes: Map<Group, string[]>,
  checksOf: (group: Group) => Checks | undefined,
  all: boolean,
): Promise<void> {
  for (const [group, keys] of entries) await measureKeys(conn, node, group, keys, false, checksOf(group), all);
  for (const [group, keys] of indexes) await measureKeys(conn, node, group, keys, true, checksOf(group), all);
}

async function measureSample(conn: Connection, group: Group, items: readonly Located[], index: boolean, checks: Checks | undefined): Promise<void> {
  const byNode = new Map<Redis, string[]>();
  for (const { key, node } of items) {
    const list = byNode.get(node);
    if (list) list.push(key);
    else byNode.set(node, [key]);
  }
  for (const [node, keys] of byNode) await measureKeys(conn, node, group, keys, index, checks, false);
}

/** Measures `keys` of one group, all listed by `node`, `CHUNK` at a time. */
async function measureKeys(
  conn: Connection,
  node: Redis,
  group: Group,
  keys: readonly string[],
  index: boolean,
  checks: Checks | undefined,
  all: boolean,
): Promise<void> {
  for (let start = 0; start < keys.length; start += CHUNK) {
    const chunk = keys.slice(start, start + CHUNK);
    const withValues = !index && checks !== undefined;
    const commands: string[][] = [];
    for (const key of chunk) {
      commands.push(['PTTL', key], ['MEMORY', 'USAGE', key]);
      if (withValues) commands.push(['GET', key]);
      else if (index) commands.push(['ZCARD', key]);
    }
    const replies = await onNode(node, commands);
    const per = withValues || index ? 3 : 2;
    const live: string[] = [];
    const sets: string[] = [];
    chunk.forEach((key, i) => {
      const [pttl, bytes, third] = [replies[i * per], replies[i * per + 1], replies[i * per + 2]];
      if (typeof pttl !== 'number' || pttl === -2) return; // gone, or moved to another node meanwhile
      const size = typeof bytes === 'number' ? bytes : 0;
      if (index) {
        group.indexes.add(pttl, size);
        if (group.roleOf(key) === 'set' && typeof third === 'number') {
          group.indexMembers += third;
          group.indexSetsMeasured++;
          sets.push(key);
        }
        return;
      }
      group.entries.add(pttl, size);
      if (checks) {
        checks.entry(key, typeof third === 'string' ? third : null, pttl);
        live.push(key);
      }
    });
    const indexSets = checks?.declared.indexSets;
    if (indexSets === undefined) continue;
    if (live.length > 0) await checkIndexed(conn, checks!, live);
    for (const set of sets) await checkMembers(conn, checks!, set, all ? Infinity : group.sample.size);
  }
}

/** Keys of an index entity that are missing from their index set (re-checked: a key deleted meanwhile is fine). */
async function checkIndexed(conn: Connection, checks: Checks, keys: readonly string[]): Promise<void> {
  const indexSets = checks.declared.indexSets!;
  const scores = await conn.send(keys.map((key) => ['ZSCORE', indexSets.indexOf(key)!, key]));
  const missing = keys.filter((_, i) => scores[i] === null);
  const still = await conn.send(missing.map((key) => ['EXISTS', key]));
  keys.forEach(() => checks.unindexed.check());
  missing.forEach((key, i) => {
    if (still[i] === 1) checks.unindexed.found({ key, reason: `not in its index set ${indexSets.indexOf(key)!}` });
  });
}

/** Live members of the index set `set` (score after now) whose key does not exist, up to `limit` members. */
async function checkMembers(conn: Connection, checks: Checks, set: string, limit: number): Promise<void> {
  let cursor = '0';
  let seen = 0;
  do {
    const [next, flat] = (await conn.client.zscan(set, cursor, 'COUNT', SCAN_COUNT)) as [string, string[]];
    cursor = next;
    const now = Date.now();
    const live: string[] = [];
    for (let i = 0; i < flat.length && seen < limit; i += 2) {
      seen++;
      if (Number(flat[i + 1]) > now + 1000) live.push(flat[i]!);
    }
    const exists = await conn.send(live.map((member) => ['EXISTS', member]));
    const gone = live.filter((_, i) => exists[i] === 0);
    const listed = await conn.send(gone.map((member) => ['ZSCORE', set, member]));
    live.forEach(() => checks.orphanMembers.check());
    gone.forEach((member, i) => {
      if (listed[i] !== null) checks.orphanMembers.found({ key: member, reason: `listed in ${set}, but the key does not exist` });
    });
  } while (cursor !== '0' && seen < limit);
}
