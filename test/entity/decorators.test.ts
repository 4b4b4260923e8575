/**
 * The decorators under both decorator systems. Each fixture is compiled by the TypeScript compiler
 * itself, once with `experimentalDecorators` and once with TC39 standard decorators, then evaluated
 * against cacheorm's source: what users' compilers produce, not what vitest's transformer does.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as cacheorm from 'cacheorm';
import { createCache, EntityDefinitionError, getEntityMetadata } from 'cacheorm';

type Mode = 'legacy' | 'tc39';

function compile(source: string, mode: Mode): Record<string, unknown> {
  const { outputText, diagnostics } = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: mode === 'legacy',
      useDefineForClassFields: true,
    },
  });
  expect(diagnostics ?? []).toEqual([]);
  const modules: Record<string, unknown> = { cacheorm, zod: { z } };
  const exports: Record<string, unknown> = {};
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`fixture imports unknown module ${name}`);
    return modules[name];
  };
  new Function('require', 'exports', 'module', outputText)(require, exports, { exports });
  return exports;
}

const SESSION = `
import { z } from 'zod';
import { CacheEntity, Key, Field } from 'cacheorm';

@CacheEntity({ name: 'session', ttl: '30m', version: 2 })
export class Session {
  @Key(z.string()) tenantId!: string;
  @Key(z.int()) id!: number;
  @Field(z.email()) email!: string;
  @Field(z.date()) lastSeen!: Date;
  @Field(z.set(z.string())) roles!: Set<string>;
  notStored = 'transient';
  greet() { return 'hello ' + this.email; }
}

@CacheEntity({ name: 'admin-session', ttl: '1h' })
export class AdminSession extends Session {
  @Field(z.boolean()) superuser!: boolean;
}
`;

describe.each<Mode>(['legacy', 'tc39'])('decorators (%s)', (mode) => {
  const { Session, AdminSession } = compile(SESSION, mode) as {
    Session: new () => { greet(): string };
    AdminSession: new () => { greet(): string };
  };

  it('records key fields in declaration order, fields, TTL and version', () => {
    const meta = getEntityMetadata(Session);
    expect(meta.name).toBe('session');
    expect(meta.ttlMs).toBe(30 * 60_000);
    expect(meta.version).toBe(2);
    expect(meta.keyFields.map((f) => [f.name, f.kind])).toEqual([
      ['tenantId', 'string'],
      ['id', 'number'],
    ]);
    expect(Object.keys(meta.schema.shape)).toEqual(['tenantId', 'id', 'email', 'lastSeen', 'roles']);
  });

  it('inherits the parent entity fields without changing the parent', () => {
    const child = getEntityMetadata(AdminSession);
    expect(child.keyFields.map((f) => f.name)).toEqual(['tenantId', 'id']);
    expect(Object.keys(child.schema.shape)).toEqual(['tenantId', 'id', 'email', 'lastSeen', 'roles', 'superuser']);
    expect(Object.keys(getEntityMetadata(Session).schema.shape)).not.toContain('superuser');
  });

  it('returns instances of the class, with only declared fields stored', async () => {
    const cache = createCache({ prefix: `dec-${mode}` });
    const repo = cache.getRepository(Session);
    const s = Object.assign(new Session(), {
      tenantId: 'acme',
      id: 42,
      email: 'ann@acme.test',
      lastSeen: new Date('2026-01-02T03:04:05Z'),
      roles: new Set(['admin']),
    });
    await repo.save(s as never);
    expect(repo.keyOf({ tenantId: 'acme', id: 42 } as never)).toBe(`dec-${mode}:session~v2:acme:42`);
    const back = await repo.get({ tenantId: 'acme', id: 42 } as never);
    expect(back).toBeInstanceOf(Session);
    expect(back!.greet()).toBe('hello ann@acme.test');
    expect((back as unknown as { lastSeen: Date }).lastSeen).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect((back as unknown as { roles: Set<string> }).roles).toEqual(new Set(['admin']));
    expect(back).not.toHaveProperty('notStored');
    await cache.close();
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no TTL', `@CacheEntity({ name: 'x' } as any) export class X { @Key(z.string()) id!: string; }`, /has no TTL/],
    ['bad TTL', `@CacheEntity({ name: 'x', ttl: '5 minutes' as any }) export class X { @Key(z.string()) id!: string; }`, /'500ms', '30s', '5m', '1h' or '7d'/],
    ['no key', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Field(z.string()) id!: string; }`, /no key field/],
    ['object key', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(z.object({})) id!: object; }`, /Key field "id" of entity "x" has a object schema/],
    ['date key', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(z.date()) at!: Date; }`, /has a date schema/],
    ['optional key', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(z.string().optional()) id?: string; }`, /has a optional schema/],
    ['bad name', `@CacheEntity({ name: 'my session', ttl: '1h' }) export class X { @Key(z.string()) id!: string; }`, /invalid name "my session"/],
    ['twice', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(z.string()) @Field(z.string()) id!: string; }`, /decorated twice/],
    ['no schema', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(undefined as any) id!: string; }`, /needs a zod schema/],
    ['static', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(z.string()) static id: string; }`, /instance fields/],
    ['method', `@CacheEntity({ name: 'x', ttl: '1h' }) export class X { @Key(z.string()) id!: string; @Field(z.string()) greet() { return ''; } }`, /(method or accessor greet|a method greet)/],
  ];
  it.each(bad)('rejects %s with EntityDefinitionError', (_label, body, message) => {
    const source = `import { z } from 'zod'; import { CacheEntity, Key, Field } from 'cacheorm';\n${body}`;
    let error: unknown;
    try {
      compile(source, mode);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EntityDefinitionError);
    expect((error as EntityDefinitionError).code).toBe('E_ENTITY_DEFINITION');
    expect((error as Error).message).toMatch(message);
  });
});

describe('decorators across caches', () => {
  it('rejects two different entities with one name in one cache, allows them in two caches', () => {
    const { A } = compile(`import { z } from 'zod'; import { CacheEntity, Key } from 'cacheorm';
      @CacheEntity({ name: 'dup', ttl: '1h' }) export class A { @Key(z.string()) id!: string; }`, 'tc39');
    const { A: B } = compile(`import { z } from 'zod'; import { CacheEntity, Key } from 'cacheorm';
      @CacheEntity({ name: 'dup', ttl: '1h' }) export class A { @Key(z.string()) id!: string; }`, 'legacy');
    const cache = createCache();
    expect(cache.getRepository(A as never)).toBe(cache.getRepository(A as never));
    expect(() => cache.getRepository(B as never)).toThrow(/Two different entities are named "dup"/);
    expect(() => createCache().getRepository(B as never)).not.toThrow();
  });

  it('rejects a class that is not an entity with a message saying what to do', () => {
    class Plain {}
    expect(() => createCache().getRepository(Plain)).toThrow(/not a cache entity.*@CacheEntity/);
  });
});
