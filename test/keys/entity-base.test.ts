/** entityBase / parseEntityBase: the `<prefix>:<entity>[~v<n>]` part of a key, written and read back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entityBase, KeyCodec, parseEntityBase } from '../../src/keys/index.js';

describe('entityBase and parseEntityBase', () => {
  it('writes the version joined to the entity segment', () => {
    expect(entityBase('app', 'session')).toBe('app:session:');
    expect(entityBase('app', 'session', 2)).toBe('app:session~v2:');
  });

  it('reads entity keys and index keys, versioned or not', () => {
    expect(parseEntityBase('app', 'app:session~v2:acme:42')).toEqual({ entity: 'session', version: 2, base: 'app:session~v2', separator: ':' });
    expect(parseEntityBase('app', 'app:session:acme:42')).toEqual({ entity: 'session', version: undefined, base: 'app:session', separator: ':' });
    expect(parseEntityBase('app', 'app:session#index')).toEqual({ entity: 'session', version: undefined, base: 'app:session', separator: '#' });
    expect(parseEntityBase('app', 'app:session~v3#index:{acme}:lex')).toEqual({ entity: 'session', version: 3, base: 'app:session~v3', separator: '#' });
    expect(parseEntityBase('my.app', 'my.app:user:7')).toMatchObject({ entity: 'user', version: undefined, base: 'my.app:user' });
  });

  it('answers undefined for keys outside the prefix or without a valid entity name', () => {
    for (const key of ['other:session:1', 'app', 'app:', 'appx:session:1', 'app:session', 'app:1bad:x', 'app::x', 'app:se ss:x', 'app:~v2:x']) {
      expect(parseEntityBase('app', key), key).toBeUndefined();
    }
  });

  it('reads ~v<n> only as a canonical positive version, and a v<n> key part never as a version', () => {
    for (const key of ['app:s~v0:x', 'app:s~v02:x', 'app:s~vx:x', 'app:s~:x', 'app:s~v:x', 'app:s~v2~v3:x', 'app:s~V2:x', 'app:s~v1.5:x', 'app:s~v99999999999999999:x']) {
      expect(parseEntityBase('app', key), key).toBeUndefined();
    }
    expect(parseEntityBase('app', 'app:s~v2')).toBeUndefined(); // no separator after the entity segment
    expect(parseEntityBase('app', 'app:s:v2:x')).toEqual({ entity: 's', version: undefined, base: 'app:s', separator: ':' });
    expect(parseEntityBase('app', 'app:s:v2')).toMatchObject({ version: undefined, base: 'app:s' });
  });

  it('round-trips every key KeyCodec writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('app', 'my.app', 'a.b-c~d', 'app~v2'),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/),
        fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
        fc.oneof(fc.string(), fc.constantFrom('v2', 'v1', '~v2', 'v2:x')),
        (prefix, entity, version, part) => {
          const codec = new KeyCodec({ prefix, entity, ...(version === undefined ? {} : { version }), fields: [{ name: 'id', kind: 'string' }] });
          expect(codec.base).toBe(entityBase(prefix, entity, version));
          const key = codec.encode({ id: part });
          const parsed = parseEntityBase(prefix, key)!;
          expect(parsed.entity).toBe(entity);
          expect(parsed.separator).toBe(':');
          // Whatever the parts (`v2`, `~v2`, ...), the version read is the declared one.
          expect(parsed.version).toBe(version);
          expect(parsed.base).toBe(codec.base.slice(0, -1));
        },
      ),
    );
  });
});
