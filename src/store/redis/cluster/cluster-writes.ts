/**
 * Batched changes on Redis Cluster: `write` and `unlink` grouped by hash slot, so no `CROSSSLOT` error
 * ever reaches a caller.
 *
 * - The ops of one slot keep standalone semantics: one `SET`, one `MULTI`/`EXEC`, or one `WRITE` Lua
 *   script when ops have an index set in that slot; atomic, applied in input order.
 * - The slots of a batch are written concurrently, each atomically; a batch over several slots is **not**
 *   atomic as a whole. When a slot fails, the others may have been written: the error says how many.
 * - Ops whose index set lives in another slot are written first, then their index entries are updated
 *   (see `cluster-index.ts`); a batch with index sets that is not one atomic script first checks the
 *   index sets' types, so a `WRONGTYPE` refuses it before anything is written.
 * @internal
 */
import type { Cluster } from 'ioredis';
import { clusterIndexKeysOf, clusterLexKeyOf, INDEX_APPLY, writeCallIn, writeChange, type IndexChange } from './cluster-index.js';
import { NO_EXEC_REPLY, setArguments } from '../client.js';
import { toClusterFailure } from './cluster.js';
import type { RedisTarget } from '../errors.js';
import { batchWriteNote, UNLINK_INDEXED, WRITE } from '../lua/index-scripts.js';
import { evalScript } from '../lua/lua.js';
import { groupBySlot, keySlot } from './slots.js';
import type { WriteOp } from '../../store.js';

/**
 * `WAIT` for replicas after a change in `slot` (the durability option), or nothing.
 *
 * @example
 * const none: Confirm = async () => undefined;
 */
export type Confirm = (slot: number, command: string, key: string | undefined) => Promise<void>;

/** A slot group that failed: the error and what to say about it. */
class GroupFailure {
  constructor(
    readonly error: unknown,
    readonly command: string,
    readonly note?: string,
  ) {}
}

/**
 * `write` and `unlink` of a cluster store. @internal
 *
 * @example
 * const writes = new ClusterWrites(cluster, target, 1000, async () => undefined);
 * await writes.write([{ key: 'a', value: '1', ttl: null }, { key: 'b', value: '2', ttl: null }]); // [true, true]
 */
export class ClusterWrites {
  constructor(
    private readonly client: Cluster,
    private readonly target: RedisTarget,
    private readonly maxKeys: number,
    private readonly confirm: Confirm,
  ) {}

  /** {@inheritDoc Store.write} (`ops` already checked, not empty). */
  async write(ops: readonly WriteOp[]): Promise<boolean[]> {
    const slots = ops.map((op) => keySlot(op.key));
    const indexes = new Set<string>();
    const colocated = new Set<number>();
    const registries = new Set<string>();
    ops.forEach((op, i) => {
      if (op.index === undefined) return;
      clusterLexKeyOf(op.index); // a name no companion set can share a slot with: refused before anything is sent
      indexes.add(op.index);
      if (op.registry !== undefined) registries.add(op.registry);
      if (keySlot(op.index) === slots[i]) colocated.add(i);
    });
    const groups = groupBySlot(ops.map((op) => op.key));
    const split = [...indexes].filter((index) => ops.some((op, i) => op.index === index && !colocated.has(i)));
    await this.checkIndexes([...(groups.size > 1 ? indexes : split), ...registries], 'SET');

    const applied = new Array<boolean>(ops.length).fill(false);
    const created = new Set<number>();
    const pttls = new Map<number, number>();
    const settled = await Promise.allSettled(
      [...groups].map(([slot, positions]) => this.writeSlot(slot, positions, ops, colocated, { applied, created, pttls })),
    );
    const changes = new Map<string, IndexChange[]>();
    const add = (index: string, change: IndexChange) => changes.set(index, [...(changes.get(index) ?? []), change]);
    ops.forEach((op, i) => {
      if (op.index === undefined || colocated.has(i) || !applied[i]) return;
      const change = writeChange(op, pttls.get(i));
      if (change) add(op.index, change);
    });
    let indexError = await this.applyAll(changes);
    // Then list the index sets in their registries (another slot): each one this batch created, and each
    // one written outside its slot (which cannot tell). A registry entry is only removed when its set is
    // found missing and is re-checked afterwards (see RedisClusterStore.indexSync), so a set created here
    // and listed after its creation stays listed.
    changes.clear();
    ops.forEach((op, i) => {
      if (op.index === undefined || op.registry === undefined || !applied[i]) return;
      if (created.has(i) || !colocated.has(i)) add(op.registry, ['set', op.index, '', '']);
    });
    indexError ??= await this.applyAll(changes);
    this.throwFailures(settled, groups.size, ops.length === 1 ? ops[0]!.key : undefined);
    if (indexError !== undefined) {
      throw toClusterFailure(indexError, {
        command: 'ZADD',
        target: this.target,
        note: 'The values were written, but their index set could not be updated: find() may miss them until reindex() runs.',
      });
    }
    return applied;
  }

  /** {@inheritDoc Store.unlink} */
  async unlink(keys: readonly string[], index: string | undefined): Promise<number> {
    const indexKeys = index === undefined ? undefined : clusterIndexKeysOf(index);
    const home = index === undefined ? undefined : keySlot(index);
    const groups = groupBySlot(keys);
    const split = index !== undefined && [...groups.keys()].some((slot) => slot !== home);
    if (split) await this.checkIndexes([index], 'UNLINK');
    const removedFromIndex: string[] = [];
    const settled = await Promise.allSettled(
      [...groups].map(async ([slot, positions]) => {
        let removed = 0;
        try {
          for (let start = 0; start < positions.length; start += this.maxKeys) {
            const part = positions.slice(start, start + this.maxKeys).map((i) => keys[i]!);
            if (index !== undefined && slot === home) removed += (await evalScript(this.client, UNLINK_INDEXED, [...indexKeys!, ...part], [])) as number;
            else removed += await this.client.unlink(part);
          }
        } catch (err) {
          throw new GroupFailure(err, 'UNLINK');
        }
        if (index !== undefined && slot !== home) for (const i of positions) removedFromIndex.push(keys[i]!);
        await this.confirm(slot, 'UNLINK', positions.length === 1 ? keys[positions[0]!] : undefined);
        return removed;
      }),
    );
    const indexError = index === undefined ? undefined : await this.applyAll(new Map([[index, removedFromIndex.map((key): IndexChange => ['del', key, '', ''])]]));
    this.throwFailures(settled, groups.size, keys.length === 1 ? keys[0] : undefined);
    if (indexError !== undefined) {
      throw toClusterFailure(indexError, {
        command: 'ZREM',
        target: this.target,
        note: 'The keys were removed, but not from their index set; find() skips them, and reindex() drops them.',
      });
    }
    return settled.reduce((sum, result) => sum + (result.status === 'fulfilled' ? result.value : 0), 0);
  }

  /**
   * The ops of one slot, as on standalone Redis; fills `applied`, `created` (ops whose write created their
   * index set) and, for split `KEEPTTL` ops, `pttls`.
   */
  private async writeSlot(
    slot: number,
    positions: readonly number[],
    ops: readonly WriteOp[],
    colocated: ReadonlySet<number>,
    { applied, created, pttls }: { applied: boolean[]; created: Set<number>; pttls: Map<number, number> },
  ): Promise<void> {
    const group = positions.map((i) => ops[i]!);
    let results: boolean[];
    if (positions.some((i) => colocated.has(i))) {
      const { keys, args } = writeCallIn(group, new Set(positions.flatMap((p, j) => (colocated.has(p) ? [j] : []))));
      try {
        const replies = (await evalScript(this.client, WRITE, keys, args)) as number[];
        replies.forEach((n, j) => n === 2 && created.add(positions[j]!));
        results = replies.map((n) => n >= 1);
      } catch (err) {
        throw new GroupFailure(err, 'SET', group.length > 1 ? batchWriteNote(err) : undefined);
      }
    } else if (group.length === 1) {
      try {
        results = [(await this.client.call('SET', setArguments(group[0]!))) === 'OK'];
      } catch (err) {
        throw new GroupFailure(err, 'SET');
      }
    } else {
      const multi = this.client.multi();
      for (const op of group) multi.call('SET', setArguments(op));
      let replies: [Error | null, unknown][] | null;
      try {
        replies = await multi.exec();
      } catch (err) {
        throw new GroupFailure(err, 'MULTI/EXEC');
      }
      if (replies === null) throw new GroupFailure(new Error(NO_EXEC_REPLY), 'MULTI/EXEC');
      const failed = replies.find(([error]) => error !== null);
      if (failed) throw new GroupFailure(failed[0], 'SET', "Redis does not roll back MULTI/EXEC, so this slot's part of the batch was partly written.");
      results = replies.map(([, reply]) => reply === 'OK');
    }
    positions.forEach((position, j) => (applied[position] = results[j]!));
    await this.confirm(slot, 'SET', group.length === 1 ? group[0]!.key : undefined);
    const keep = positions.filter((i) => applied[i] && ops[i]!.ttl === 'keep' && ops[i]!.index !== undefined && !colocated.has(i));
    await Promise.all(keep.map(async (i) => pttls.set(i, await this.client.pttl(ops[i]!.key))));
  }

  /** Checks that each index set and its companion hold a sorted set or nothing; refuses the call otherwise. */
  private async checkIndexes(indexes: readonly string[], command: string): Promise<void> {
    try {
      await Promise.all(indexes.map((index) => evalScript(this.client, INDEX_APPLY, clusterIndexKeysOf(index), [])));
    } catch (err) {
      throw toClusterFailure(err, { command, target: this.target, note: 'Nothing was written.' });
    }
  }

  /** Applies index changes, one script per index set and `maxKeys` changes; answers the first error, if any. */
  private async applyAll(changes: ReadonlyMap<string, readonly IndexChange[]>): Promise<unknown> {
    const calls: Promise<unknown>[] = [];
    for (const [index, list] of changes) {
      for (let start = 0; start < list.length; start += this.maxKeys) {
        calls.push(evalScript(this.client, INDEX_APPLY, clusterIndexKeysOf(index), list.slice(start, start + this.maxKeys).flat()));
      }
    }
    const settled = await Promise.allSettled(calls);
    const failed = settled.find((result) => result.status === 'rejected');
    return failed === undefined ? undefined : (failed as PromiseRejectedResult).reason;
  }

  /** Throws the first failed slot group's error, saying how much of a multi-slot batch was applied. */
  private throwFailures(settled: readonly PromiseSettledResult<unknown>[], slots: number, key: string | undefined): void {
    const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length === 0) return;
    const reason: unknown = failures[0]!.reason;
    const failure = reason instanceof GroupFailure ? reason : new GroupFailure(reason, 'SET');
    const notes = [failure.note];
    if (slots > 1) {
      notes.push(
        `The batch spans ${slots} hash slots of the cluster, applied slot by slot (each atomically): ${slots - failures.length} ` +
          `slot(s) were applied, ${failures.length} failed.`,
      );
    }
    const note = notes.filter((n) => n !== undefined).join(' ');
    throw toClusterFailure(failure.error, { command: failure.command, key, target: this.target, ...(note ? { note } : {}) });
  }
}
