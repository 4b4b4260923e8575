/** Hash slots (no Redis here: cluster-store.test.ts checks them against a real cluster's CLUSTER KEYSLOT). */
import { describe, expect, it } from 'vitest';
import { crc16, groupBySlot, hashTagOf, keySlot, slotOfGlob, SLOT_COUNT } from '../../../../src/store/redis/cluster/slots.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('crc16 (CRC-16/XMODEM)', () => {
  it('matches the test vector of the Redis Cluster specification', () => {
    expect(crc16(bytes('123456789'))).toBe(0x31c3);
    expect(crc16(bytes(''))).toBe(0);
  });
});

describe('hashTagOf', () => {
  it.each([
    ['app:session:{acme}:1', 'acme'],
    ['{user1000}.following', 'user1000'],
    ['foo{}{bar}', undefined], // the first { is followed by }: no tag, the whole key is hashed
    ['foo{{bar}}', '{bar'],
    ['foo{bar}{zap}', 'bar'],
    ['a}b{c', undefined], // no } after the first {
    ['plain', undefined],
    ['{é}', 'é'],
  ])('%j → %j', (key, tag) => {
    expect(hashTagOf(key)).toBe(tag);
  });
});

describe('keySlot', () => {
  it('hashes only the tag when there is one, the whole key otherwise', () => {
    expect(keySlot('app:session:{acme}:1')).toBe(keySlot('acme'));
    expect(keySlot('app:session:{acme}:2')).toBe(keySlot('{acme}'));
    expect(keySlot('foo{}{bar}')).toBe(crc16(bytes('foo{}{bar}')) % SLOT_COUNT);
    expect(keySlot('123456789')).toBe(0x31c3 % SLOT_COUNT);
    expect(keySlot('{é}x')).toBe(crc16(bytes('é')) % SLOT_COUNT); // UTF-8 bytes
  });

  it('stays within 0..16383', () => {
    for (let i = 0; i < 2000; i++) {
      const slot = keySlot(`key:${i}`);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(SLOT_COUNT);
    }
  });
});

describe('groupBySlot', () => {
  it('groups positions by slot, in input order', () => {
    const keys = ['{a}1', '{b}1', '{a}2', '{b}2', '{a}3'];
    expect([...groupBySlot(keys)]).toEqual([
      [keySlot('a'), [0, 2, 4]],
      [keySlot('b'), [1, 3]],
    ]);
  });
});

describe('slotOfGlob', () => {
  it.each([
    ['app:session:{acme}:*', keySlot('acme')],
    ['app:session:{acme:eu}:a1*', keySlot('acme:eu')],
    ['app:session:{%2A}:*', keySlot('%2A')],
    ['app:session:{a*}:*', undefined], // the tag is not literal
    ['app:session:{ac?e}:*', undefined],
    ['app:session:*:{acme}', undefined], // a `*` before the brace: a matching key may have an earlier {
    ['app:session:{}:*', undefined], // `{}` is no tag
    ['app:session:*', undefined],
    ['app:\\{acme}:*', undefined], // escapes end the literal start
  ])('%j → %j', (glob, slot) => {
    expect(slotOfGlob(glob)).toBe(slot);
  });
});
