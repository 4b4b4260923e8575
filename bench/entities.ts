/** Entities of the find benchmark (`bench/find.ts`, `bench/find-stream.ts`). */
import { z } from 'zod';
import { defineEntity } from 'cacheorm';

export const PREFIX = 'bench';

const sessionSchema = z.object({
  tenantId: z.string(),
  id: z.string(),
  email: z.email(),
  lastSeen: z.date(),
  roles: z.set(z.string()),
});

/** Sessions found with the default strategy: `SCAN MATCH bench:session:<tenant>:*`. */
export const Session = defineEntity({ name: 'session', key: ['tenantId', 'id'], schema: sessionSchema, ttl: '1h' });

/** The same data, found through the entity's index set (`ZSCAN bench:sessionidx#index MATCH ...`). */
export const SessionIdx = defineEntity({ name: 'sessionidx', key: ['tenantId', 'id'], schema: sessionSchema, ttl: '1h', find: 'index' });

/** Small entity for the streaming case (1,000,000 matching entities of tenant `big`). */
export const Item = defineEntity({
  name: 'item',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string(), n: z.number() }),
  ttl: '1h',
});

export const TTL_MS = 3_600_000;

export function sessionData(tenantId: string, id: string) {
  return { tenantId, id, email: `${id}@${tenantId}.test`, lastSeen: new Date('2026-11-23T10:00:00.000Z'), roles: new Set(['user']) };
}

const richSchema = z.object({
  tenantId: z.string(),
  id: z.string(),
  email: z.email(),
  displayName: z.string().optional(),
  createdAt: z.date(),
  lastSeen: z.date(),
  balance: z.bigint(),
  roles: z.set(z.string()),
  flags: z.map(z.string(), z.boolean()),
  profile: z.object({ locale: z.string(), timezone: z.string(), birthday: z.date().optional(), score: z.number() }),
  devices: z.array(z.object({ id: z.string(), kind: z.enum(['phone', 'laptop', 'tablet']), lastUsed: z.date(), trusted: z.boolean() })),
  note: z.string().nullable(),
  quota: z.int(),
});

/**
 * The codec benchmark's entity (`bench/codec.ts`): Date, Map, Set, BigInt, a nested object, an array of
 * objects, optional and nullable fields.
 */
export const RichEntity = defineEntity({ name: 'rich', key: ['tenantId', 'id'], schema: richSchema, ttl: '1h' });

export type RichEntityData = z.output<typeof richSchema>;

const KINDS = ['phone', 'laptop', 'tablet'] as const;

/** Rich entity number `i` (deterministic; 1 to 4 devices, optional fields present or not). */
export function richEntityData(i: number): RichEntityData {
  const base = Date.UTC(2026, 10, 1) + i * 60_000;
  return {
    tenantId: `tenant${i % 20}`,
    id: `user-${i}`,
    email: `user${i}@tenant${i % 20}.example.com`,
    ...(i % 3 === 0 ? {} : { displayName: `User Number ${i}` }),
    createdAt: new Date(base - 86_400_000 * 30),
    lastSeen: new Date(base + i * 17),
    balance: 10_000_000_000_000_000n + BigInt(i) * 7919n,
    roles: new Set(i % 2 === 0 ? ['user'] : ['user', 'admin', 'billing']),
    flags: new Map([
      ['beta', i % 2 === 0],
      ['darkMode', i % 5 === 0],
    ]),
    profile: { locale: 'en-GB', timezone: 'Europe/London', ...(i % 4 === 0 ? {} : { birthday: new Date(Date.UTC(1980 + (i % 30), i % 12, 1 + (i % 28))) }), score: (i % 1000) / 10 },
    devices: Array.from({ length: 1 + (i % 4) }, (_, d) => ({ id: `d${i}-${d}`, kind: KINDS[(i + d) % 3]!, lastUsed: new Date(base - d * 3_600_000), trusted: (i + d) % 2 === 0 })),
    note: i % 7 === 0 ? `note ${i}` : null,
    quota: 100 + (i % 50),
  };
}
