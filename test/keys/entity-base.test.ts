/** entityBase / parseEntityBase: the `<prefix>:<entity>[:v<n>]` part of a key, written and read back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entityBase, KeyCodec, parseEntityBase } from '../../src/keys/index.js';

describe('entityBase and parseEntityBase', () => {
  it('reads entity keys and index keys, versioned or not', () => {
    expect(parseEntityBase('app', 'app:session:v2:acme:42')).toEqual({ entity: 'session', version: 2, base: 'app:session:v2', separator: ':' });
    expect(parseEntityBase('app', 'app:session:acme:42')).toEqual({ entity: 'session', version: undefined, base: 'app:session', separator: ':' });
    expect(parseEntityBase('app', 'app:session#index')).toEqual({ entity: 'session', version: undefined, base: 'app:session', separator: '#' });
    expect(parseEntityBase('app', 'app:session:v3#index:{acme}:lex')).toEqual({ entity: 'session', version: 3, base: 'app:session:v3', separator: '#' });
    expect(parseEntityBase('my:app', 'my:app:user:7')).toMatchObject({ entity: 'user', version: undefined });
  });

  it('answers undefined for keys outside the prefix or without a valid entity name', () => {
    for (const key of ['other:session:1', 'app', 'app:', 'appx:session:1', 'app:session', 'app:1bad:x', 'app::x', 'app:se ss:x']) {
      expect(parseEntityBase('app', key), key).toBeUndefined();
    }
  });

  it('reads v<n> only as a canonical positive version segment', () => {
    expect(parseEntityBase('app', 'app:s:v0:x')).toMatchObject({ version: undefined, base: 'app:s' });
    expect(parseEntityBase('app', 'app:s:v02:x')).toMatchObject({ version: undefined });
    expect(parseEntityBase('app', 'app:s:v2')).toMatchObject({ version: undefined, base: 'app:s' }); // no separator after it: a key part
    expect(parseEntityBase('app', 'app:s:vx:y')).toMatchObject({ version: undefined });
  });

  it('round-trips every key KeyCodec writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('app', 'my:app', 'a.b-c~d'),
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/),
        fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
        fc.string(),
        (prefix, entity, version, part) => {
          const codec = new KeyCodec({ prefix, entity, ...(version === undefined ? {} : { version }), fields: [{ name: 'id', kind: 'string' }] });
          expect(codec.base).toBe(entityBase(prefix, entity, version));
          const key = codec.encode({ id: part });
          const parsed = parseEntityBase(prefix, key)!;
          expect(parsed.entity).toBe(entity);
          expect(parsed.separator).toBe(':');
          // Without the declaration, an unversioned entity's first part `v<n>` reads as a version.
          if (version !== undefined || !/^v[1-9][0-9]*$/.test(part)) expect(parsed.version).toBe(version);
        },
      ),
    );
  });
});
