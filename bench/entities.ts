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
