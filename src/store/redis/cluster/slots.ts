/**
 * Redis Cluster hash slots: which of the 16384 slots a key lives in, and grouping keys by slot.
 *
 * The slot of a key is `CRC16(key) mod 16384` (CRC-16/XMODEM: polynomial 0x1021, initial value 0, no
 * reflection), computed over the key's UTF-8 bytes, or over its **hash tag** only: when the key holds a
 * `{`, and a `}` after it with at least one byte between them, only the bytes between the first `{` and
 * the first `}` after it count. So `app:session:{acme}:1` and `app:session:{acme}:2` share a slot, and
 * Redis accepts multi-key commands and scripts over them. (Redis Cluster specification, "Keys distribution
 * model" and "Hash tags".) Implemented here rather than taken from a dependency: ~30 lines, checked
 * against the specification's test vector and against `CLUSTER KEYSLOT` of a real cluster in the tests.
 * @internal
 */

/**
 * Number of hash slots in a Redis Cluster.
 *
 * @example
 * keySlot('any key') < SLOT_COUNT; // true
 */
export const SLOT_COUNT = 16384;

/** CRC-16/XMODEM lookup table, one entry per byte value. */
const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

const encoder = new TextEncoder();

/**
 * CRC-16/XMODEM of `bytes` (the checksum Redis Cluster uses).
 *
 * @example
 * crc16(new TextEncoder().encode('123456789')); // 0x31c3, the specification's test vector
 */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xff00) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/**
 * The hash tag of a key: the text between its first `{` and the first `}` after it, or `undefined` when
 * the key has none (no `{`, no `}` after it, or nothing between them: `{}` is not a tag).
 *
 * @example
 * hashTagOf('app:session:{acme}:1'); // 'acme'
 * hashTagOf('app:{}:{acme}');        // undefined (the first braces are empty: the whole key is hashed)
 * hashTagOf('app:session:1');        // undefined
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * The hash slot of `key` (0..16383), as Redis Cluster computes it.
 *
 * @example
 * keySlot('app:session:{acme}:1') === keySlot('acme'); // true
 */
export function keySlot(key: string): number {
  return crc16(encoder.encode(hashTagOf(key) ?? key)) % SLOT_COUNT;
}

/**
 * The positions of `keys` grouped by slot, each group in input order; groups in order of first appearance.
 *
 * @example
 * groupBySlot(['{a}1', '{b}1', '{a}2']); // Map { slot('a') => [0, 2], slot('b') => [1] }
 */
export function groupBySlot(keys: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  });
  return groups;
}

/**
 * The one slot every key matching the Redis glob `match` must live in, or `undefined` when matching keys
 * may live in several. That is the case when the glob's literal start (before its first `*`, `?`, `[`
 * or `\`) holds a complete, non-empty hash tag: every matching key then begins with that literal text, so
 * its first `{` and the `}` after it are the glob's own. cacheorm's keys write hash-tag fields as
 * `{...}` right after the entity's base, so a `find` fixing them scans one slot, one master.
 *
 * @example
 * slotOfGlob('app:session:{acme}:*'); // keySlot('acme')
 * slotOfGlob('app:session:{a*}:*');   // undefined (the tag is not literal)
 * slotOfGlob('app:session:*');        // undefined
 */
export function slotOfGlob(match: string): number | undefined {
  const literal = /^[^*?[\\]*/.exec(match)![0];
  return hashTagOf(literal) === undefined ? undefined : keySlot(literal);
}
