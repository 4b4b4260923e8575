import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, EntityDefinitionError, InvalidKeyError } from '../../src/errors/index.js';
import { KeyCodec, type KeyCodecOptions } from '../../src/keys/index.js';

const sessionFields = [
  { name: 'tenantId', kind: 'string' },
  { name: 'id', kind: 'string' },
] as const;

const session = (extra: Partial<KeyCodecOptions> = {}) =>
  new KeyCodec({ prefix: 'cache', entity: 'session', fields: sessionFields, ...extra });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('KeyCodec options', () => {
  it.each(['', 'my app', 'ca*che', 'cache{x}', 'é'])('rejects prefix %j', (prefix) => {
    const err = thrown(() => session({ prefix }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/Use one segment of letters, digits, ".", "_", "~" or "-"/);
  });

  it.each(['myapp:cache', 'a::b', ':cache', 'cache:'])('rejects prefix %j, which could nest in another cache\'s', (prefix) => {
    const err = thrown(() => session({ prefix }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/must not contain ":".*Join its parts with "\.", "-" or "_" instead/);
  });

  it.each(['cache', 'myapp.cache', 'a.b_c~d-1-x'])('accepts prefix %j', (prefix) => {
    expect(session({ prefix }).base).toBe(`${prefix}:session:`);
  });

  it.each(['', '1session', 'my session', 'a:b', 'a*', '_x', 'x'.repeat(101)])('rejects entity name %j', (entity) => {
    const err = thrown(() => session({ entity }));
    expect(err).toBeInstanceOf(EntityDefinitionError);
    expect((err as Error).message).toMatch(/a letter first, then letters, digits, "_", "\." or "-"/);
  });

  it.each(['s', 'user-profile', 'User_v.2', 'x'.repeat(100)])('accepts entity name %j', (entity) => {
    expect(session({ entity }).base).toBe(`cache:${entity}:`);
  });

  it.each([0, -1, 1.5, NaN, Infinity, 2 ** 53])('rejects version %s', (version) => {
    const err = thrown(() => session({ version }));
    expect(err).toBeInstanceOf(EntityDefinitionError);
    expect((err as Error).message).toMatch(/Use a positive integer/);
  });

  it('rejects an empty, duplicate, unnamed or wrongly-kinded key field list', () => {
    expect(() => session({ fields: [] })).toThrow(/has no key field\. Declare at least one key field/);
    expect(() => session({ fields: [sessionFields[0], sessionFields[0]] })).toThrow(/twice\. List each key field once/);
    expect(() => session({ fields: [{ name: '', kind: 'string' }] })).toThrow(EntityDefinitionError);
    expect(() => session({ fields: [{ name: 'id', kind: 'date' as never }] })).toThrow(
      /Use "string", "number", "bigint" or "boolean"/,
    );
  });
});

describe('KeyCodec encode/decode', () => {
  it('writes prefix, entity and parts', () => {
    const codec = session();
    expect(codec.base).toBe('cache:session:');
    expect(codec.fieldNames).toEqual(['tenantId', 'id']);
    expect(codec.encode({ tenantId: 'acme', id: 'a:1' })).toBe('cache:session:acme:a%3A1');
    expect(codec.decode('cache:session:acme:a%3A1')).toEqual({ tenantId: 'acme', id: 'a:1' });
  });

  it('puts the version into the key', () => {
    const v2 = session({ version: 2 });
    expect(v2.base).toBe('cache:session~v2:');
    expect(v2.encode({ tenantId: 'acme', id: '1' })).toBe('cache:session~v2:acme:1');
    expect(v2.decode('cache:session~v2:acme:1')).toEqual({ tenantId: 'acme', id: '1' });
    expect(v2.decode('cache:session~v3:acme:1')).toBeUndefined();
    expect(v2.decode('cache:session:v2:acme:1')).toBeUndefined();
    expect(v2.decode('cache:session:acme:1')).toBeUndefined();
  });

  it('ignores extra properties, so a whole entity can be passed', () => {
    const entity = { tenantId: 'acme', id: '1', email: 'a@b.c', roles: new Set(['x']) };
    expect(session().encode(entity)).toBe('cache:session:acme:1');
  });

  it('says which field is missing and lists the key fields', () => {
    for (const id of [undefined, null]) {
      const err = thrown(() => session().encode({ tenantId: 'acme', id }));
      expect(err).toBeInstanceOf(InvalidKeyError);
      expect((err as Error).message).toBe('Key of entity "session" is missing field "id". Pass all of: tenantId, id.');
      expect((err as InvalidKeyError).field).toBe('id');
      expect((err as InvalidKeyError).entity).toBe('session');
    }
    expect(() => session().encode(null as never)).toThrow(/must be an object with the key fields \(tenantId, id\)/);
  });

  it('rejects values of the wrong type, naming the field', () => {
    expect(() => session().encode({ tenantId: 'acme', id: 7 })).toThrow(
      'Key field "id" of entity "session" must be a string, got number. Pass a string.',
    );
    const codec = new KeyCodec({ prefix: 'c', entity: 'score', fields: [{ name: 'n', kind: 'number' }] });
    expect(() => codec.encode({ n: NaN })).toThrow(/Key field "n" of entity "score" is NaN; key numbers must be finite/);
    expect(() => session().encode({ tenantId: 'a\uD800', id: '1' })).toThrow(
      /Key field "tenantId" of entity "session" contains a lone UTF-16 surrogate/,
    );
  });

  it('validates given values with the field schema', () => {
    const codec = new KeyCodec({
      prefix: 'cache',
      entity: 'session',
      fields: [
        { name: 'tenantId', kind: 'string', schema: z.string().min(1) },
        { name: 'id', kind: 'string', schema: z.uuid() },
      ],
    });
    const id = '550e8400-e29b-41d4-a716-446655440000';
    expect(codec.encode({ tenantId: 'acme', id })).toBe(`cache:session:acme:${id}`);
    const err = thrown(() => codec.encode({ tenantId: 'acme', id: 'not-a-uuid' }));
    expect(err).toBeInstanceOf(InvalidKeyError);
    expect((err as Error).message).toMatch(/^Key field "id" of entity "session" is not valid: Invalid UUID/);
    expect((err as InvalidKeyError).field).toBe('id');
    expect(() => codec.encodeLiteral('id', 'nope')).toThrow(InvalidKeyError);
  });

  it('rejects decoded parts that fail the field schema', () => {
    const codec = new KeyCodec({
      prefix: 'cache',
      entity: 'session',
      fields: [
        { name: 'tenantId', kind: 'string' },
        { name: 'id', kind: 'string', schema: z.uuid() },
      ],
    });
    expect(codec.decode('cache:session:acme:not-a-uuid')).toBeUndefined();
    expect(codec.decode('cache:session:acme:550e8400-e29b-41d4-a716-446655440000')).toEqual({
      tenantId: 'acme',
      id: '550e8400-e29b-41d4-a716-446655440000',
    });
    const throwing = new KeyCodec({
      prefix: 'c',
      entity: 'e',
      fields: [{ name: 'x', kind: 'string', schema: z.string().refine(() => { throw new Error('boom'); }) }],
    });
    expect(throwing.decode('c:e:x')).toBeUndefined();
    expect(() => throwing.encode({ x: 'x' })).toThrow(/could not be validated: boom/);
  });

  it('converts mixed kinds', () => {
    const codec = new KeyCodec({
      prefix: 'c',
      entity: 'mixed',
      fields: [
        { name: 's', kind: 'string' },
        { name: 'n', kind: 'number' },
        { name: 'b', kind: 'bigint' },
        { name: 'f', kind: 'boolean' },
      ],
    });
    const key = codec.encode({ s: '', n: -1e21, b: -5n, f: false });
    expect(key).toBe('c:mixed::-1e%2B21:-5:false');
    expect(codec.decode(key)).toEqual({ s: '', n: -1e21, b: -5n, f: false });
    expect(codec.encode({ s: 'x', n: -0, b: 0n, f: true })).toBe('c:mixed:x:0:0:true');
    expect(codec.decode('c:mixed:x:1.0:0:true')).toBeUndefined();
    expect(codec.decode('c:mixed:x:1:-0:true')).toBeUndefined();
    expect(codec.decode('c:mixed:x:1:0:TRUE')).toBeUndefined();
  });

  it('decode rejects foreign keys', () => {
    const codec = session();
    for (const key of [
      '',
      'cache:session:',
      'cache:session:acme',
      'cache:session:acme:1:2',
      'cache:session:acme:1:',
      'cache:user:acme:1',
      'other:session:acme:1',
      'cache:session:ac*me:1',
      'cache:session:acme:%3a',
      'cache:session:{acme}:1',
    ]) {
      expect(codec.decode(key), key).toBeUndefined();
    }
    expect(codec.decode(42 as never)).toBeUndefined();
    expect(codec.decode('cache:session::')).toEqual({ tenantId: '', id: '' });
  });

  it('encodeLiteral encodes one part; assemble joins parts', () => {
    const codec = session();
    expect(codec.encodeLiteral('tenantId', '*')).toBe('%2A');
    expect(() => codec.encodeLiteral('email', 'x')).toThrow(
      'Entity "session" has no key field "email". Its key fields are: tenantId, id.',
    );
    expect(codec.assemble([codec.encodeLiteral('tenantId', 'a:b'), '*'])).toBe('cache:session:a%3Ab:*');
    expect(() => codec.assemble(['x'])).toThrow(InvalidKeyError);
  });
});
