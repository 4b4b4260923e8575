/**
 * Field indexes on Redis Cluster (docs/find.md, "Field indexes"): `fieldScan` and `fieldSync` of the
 * cluster store. The field set and its companions live in the index's slot (`clusterIndexKeysOf`); keys
 * in that slot (hash-tagged entities) get the atomic scripts of standalone Redis, keys in other slots
 * are checked and written from here in steps, each call still one bounded, traced call.
 * @internal
 */
import type { Cluster } from 'ioredis';
import { clusterIndexKeysOf, existingMembers, type IndexChange } from './cluster-index.js';
import { masterOfSlot } from './cluster.js';
import { hashTagOf, keySlot } from './slots.js';
import { callPerPage, runCall, type CallPath } from '../call.js';
import type { RedisTarget } from '../errors.js';
import { FIELD_SYNC, fieldPages } from '../lua/field-scripts.js';
import { evalScript, type LuaArg, type LuaScript } from '../lua/lua.js';
import { WalkGuard } from '../walk-guard.js';
import type { FieldHit, FieldScanOptions, FieldSyncEntry } from '../../store.js';
import { assertFieldSync, fieldScanArguments } from '../../validate.js';

/**
 * What {@link ClusterFields} uses of its cluster store. @internal
 *
 * @example
 * const fields = new ClusterFields({ client, target, path, stepPath, maxKeys: 1000, indexSync, applyIndex });
 */
export interface ClusterFieldsContext {
  readonly client: Cluster;
  readonly target: RedisTarget;
  /** The store's call path (bounded and traced). */
  readonly path: CallPath;
  /** The same path without bounds or tracing, for the steps of one call. */
  readonly stepPath: CallPath;
  readonly maxKeys: number;
  /** The store's `indexSync` on `path` (removes the entries of keys found gone). */
  indexSync(path: CallPath, index: string, keys: readonly string[]): Promise<number>;
  /** Applies index changes on the index's slot (`INDEX_APPLY`). */
  applyIndex(index: string, changes: readonly IndexChange[]): Promise<void>;
}

/**
 * `fieldScan` and `fieldSync` of the cluster store. @internal
 *
 * @example
 * for await (const hits of fields.scan('app:user#index', { field: 'age' })) console.log(hits);
 */
export class ClusterFields {
  constructor(private readonly ctx: ClusterFieldsContext) {}

  /**
   * Pages of one field's entries ({@link Store.fieldScan}): with the index's hash tag, each page's script
   * checks that members' keys exist (same slot) and removes the gone ones; otherwise `EXISTS` runs per key
   * from here and the gone keys are dropped with `indexSync`, the whole page one bounded, traced call.
   */
  async *scan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    const { client, target, path, stepPath } = this.ctx;
    const { field, min, max, reverse, count } = fieldScanArguments(index, options);
    const keys = clusterIndexKeysOf(index);
    const command = reverse ? 'ZREVRANGEBYLEX' : 'ZRANGEBYLEX';
    const slot = keySlot(index);
    const guard = new WalkGuard(() => masterOfSlot(client, slot), command, () => target.address);
    const call = { command: 'fieldScan', redis: command, key: index } as const;
    const pageOn = (on: CallPath) => async (script: LuaScript, args: LuaArg[]) => {
      const reply = await runCall(on, call, () => evalScript(client, script, keys, args));
      guard.check();
      return reply;
    };
    if (hashTagOf(index) !== undefined) {
      yield* fieldPages(pageOn(path), field, min, max, { count, reverse, checkKeys: true });
      return;
    }
    const exists = (members: readonly string[]) => runCall(stepPath, { command: 'fieldScan', redis: 'EXISTS' }, () => Promise.all(members.map((key) => client.exists(key))));
    const pages = fieldPages(pageOn(stepPath), field, min, max, { count, reverse, checkKeys: false });
    yield* callPerPage(path, call, existingMembers(pages, ([key]) => key, exists, (gone) => this.ctx.indexSync(stepPath, index, gone)));
  }

  /**
   * {@link Store.fieldSync}: keys in the index's slot by the atomic script of standalone Redis; the others
   * have their value read where they live (`GET`), then, for those still holding the given value, their
   * entries written with `INDEX_APPLY` (two steps: a save in between keeps the entries it wrote itself
   * only if it comes after; see docs/find.md).
   */
  async sync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    assertFieldSync(index, entries);
    if (entries.length === 0) return 0;
    const { client, maxKeys } = this.ctx;
    const indexKeys = clusterIndexKeysOf(index);
    return runCall(this.ctx.path, { command: 'fieldSync', redis: 'HSET', key: index, count: entries.length }, async () => {
      const home = keySlot(index);
      const local = entries.filter((e) => keySlot(e.key) === home);
      const remote = entries.filter((e) => keySlot(e.key) !== home);
      let written = 0;
      for (let start = 0; start < local.length; start += maxKeys) {
        const part = local.slice(start, start + maxKeys);
        written += (await evalScript(client, FIELD_SYNC, [...indexKeys, ...part.map((e) => e.key)], part.flatMap((e) => [e.value, e.fields]))) as number;
      }
      if (remote.length === 0) return written;
      const values = await Promise.all(remote.map((e) => client.get(e.key)));
      const changes: IndexChange[] = [];
      remote.forEach((e, i) => {
        if (values[i] === null) changes.push(['del', e.key, '', '']);
        else if (values[i] === e.value) changes.push(['fld', e.key, '', `+${e.fields}`]);
      });
      if (changes.length > 0) await this.ctx.applyIndex(index, changes);
      return written + changes.filter((c) => c[0] === 'fld').length;
    });
  }
}
