/**
 * Field indexes of {@link MemoryStore} (docs/find.md, "Field indexes"): per index set, the members
 * `field \0 value \0 key` in the byte order Redis' `ZRANGEBYLEX` uses (UTF-8, i.e. code point order),
 * and each key's entries, so that writes replace a key's previous entries and removals drop them, as
 * the Lua scripts do on Redis. Kept beside the keyspace (not in it): nothing but the index reads them.
 * @internal
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { FieldBound, FieldHit } from '../store.js';

/** UTF-16 code unit → a rank in code point order (surrogates after U+E000..U+FFFF, as UTF-8 bytes sort). */
function rank(unit: number): number {
  return unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/**
 * Compares two strings as their UTF-8 bytes compare (Redis' order of members and of `ZRANGEBYLEX`).
 *
 * @example
 * compareBytes('\uFFFD', '😀'); // -1 (UTF-16 order would say 1)
 */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) < rank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The pieces `field \0 value \0` of a key's entries. */
function pieces(entries: string): string[] {
  return entries.match(/[^\0]*\0[^\0]*\0/g) ?? [];
}

/** The first position in `list` (sorted) whose member is not `before` it. */
function lowerBound(list: readonly string[], before: (member: string) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface FieldSet {
  /** Members, sorted by {@link compareBytes}. */
  members: string[];
  /** Per key, its entries (`WriteOp.fields`). */
  entries: Map<string, string>;
}

/**
 * The field indexes of one MemoryStore, by index set name.
 *
 * @example
 * const fields = new MemoryFieldIndexes();
 * fields.set('app:u#index', 'app:u:1', 'age\0bff0000000000000\0');
 */
export class MemoryFieldIndexes {
  readonly #sets = new Map<string, FieldSet>();

  /** Makes `entries` the field entries of `key` in `index` (replacing its previous ones). */
  set(index: string, key: string, entries: string): void {
    let set = this.#sets.get(index);
    const old = set?.entries.get(key);
    if (old === entries || (old === undefined && entries === '')) return;
    if (old !== undefined) this.drop(index, key);
    if (entries === '') return;
    if (set === undefined) {
      set = { members: [], entries: new Map() };
      this.#sets.set(index, set);
    }
    for (const piece of pieces(entries)) {
      const member = piece + key;
      const at = lowerBound(set.members, (m) => compareBytes(m, member) < 0);
      if (set.members[at] !== member) set.members.splice(at, 0, member);
    }
    set.entries.set(key, entries);
  }

  /** Removes every field entry of `key` in `index`. */
  drop(index: string, key: string): void {
    const set = this.#sets.get(index);
    const old = set?.entries.get(key);
    if (set === undefined || old === undefined) return;
    for (const piece of pieces(old)) {
      const member = piece + key;
      const at = lowerBound(set.members, (m) => compareBytes(m, member) < 0);
      if (set.members[at] === member) set.members.splice(at, 1);
    }
    set.entries.delete(key);
    if (set.entries.size === 0) this.#sets.delete(index);
  }

  /** The entries of `key` in `index` (`undefined`: none). Meant for tests. */
  entriesOf(index: string, key: string): string | undefined {
    return this.#sets.get(index)?.entries.get(key);
  }

  /**
   * Batches of `field`'s entries in `index` between `min` and `max` (ascending, or descending with
   * `reverse`), `count` members per step, resuming after the last member read (the set may change
   * between steps). `live(key)` tells whether a key exists; the entries of a gone key are dropped by
   * `drop(key)` (every index entry of it). Yields to the event loop between steps.
   */
  async *scan(
    index: string,
    { field, min, max, reverse, count }: { field: string; min: FieldBound | undefined; max: FieldBound | undefined; reverse: boolean; count: number },
    live: (key: string) => boolean,
    drop: (key: string) => void,
    checkOpen: () => void,
  ): AsyncIterable<FieldHit[]> {
    const head = `${field}\0`;
    const valueOf = (member: string) => member.slice(head.length, member.indexOf('\0', head.length));
    const aboveMin = (m: string) => {
      if (!m.startsWith(head)) return compareBytes(m, head) > 0;
      if (min === undefined) return true;
      const c = compareBytes(valueOf(m), min.value);
      return c > 0 || (c === 0 && min.inclusive);
    };
    const belowMax = (m: string) => {
      if (!m.startsWith(head)) return compareBytes(m, head) < 0;
      if (max === undefined) return true;
      const c = compareBytes(valueOf(m), max.value);
      return c < 0 || (c === 0 && max.inclusive);
    };
    let last: string | undefined;
    for (;;) {
      const members = this.#sets.get(index)?.members ?? [];
      const first = lowerBound(members, (m) => !aboveMin(m));
      const end = lowerBound(members, belowMax);
      const page: string[] = [];
      if (!reverse) {
        let at = last === undefined ? first : Math.max(first, lowerBound(members, (m) => compareBytes(m, last!) <= 0));
        while (at < end && page.length < count) page.push(members[at++]!);
      } else {
        let at = (last === undefined ? end : Math.min(end, lowerBound(members, (m) => compareBytes(m, last!) < 0))) - 1;
        while (at >= first && page.length < count) page.push(members[at--]!);
      }
      const hits: FieldHit[] = [];
      for (const member of page) {
        const value = valueOf(member);
        const key = member.slice(head.length + value.length + 1);
        if (live(key)) hits.push([key, value]);
        else drop(key);
      }
      if (hits.length > 0) yield hits;
      if (page.length < count) return;
      last = page[page.length - 1];
      await nextMacrotask();
      checkOpen();
    }
  }
}
