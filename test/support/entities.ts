/** Entities the repository suites share. */
import { z } from 'zod';
import { defineEntity } from 'cacheorm';

export const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({
    tenantId: z.string(),
    id: z.string(),
    email: z.email(),
    lastSeen: z.date(),
    roles: z.set(z.string()),
    attrs: z.map(z.string(), z.number()),
    quota: z.bigint(),
    note: z.string().optional(),
  }),
  ttl: '30m',
});

export type SessionData = z.output<typeof Session.schema>;

export function session(id: string, overrides: Partial<SessionData> = {}): SessionData {
  return {
    tenantId: 'acme',
    id,
    email: `${id}@acme.test`,
    lastSeen: new Date('2026-11-23T10:00:00.000Z'),
    roles: new Set(['user']),
    attrs: new Map([['logins', 3]]),
    quota: 12345678901234567890n,
    ...overrides,
  };
}

/** A short-lived entity for expiry tests. */
export const Token = defineEntity({
  name: 'token',
  key: ['id'],
  schema: z.object({ id: z.string(), value: z.string() }),
  ttl: 150,
});

/**
 * The fields of the range and orderBy suites (test/query/find-ranges.test.ts, the property test):
 * a number key field, an optional number, a bigint beyond 2^53, a Date and a string.
 */
export const rangeSchema = z.object({
  tenantId: z.string(),
  seq: z.int(),
  age: z.int().optional(),
  total: z.bigint(),
  at: z.date(),
  name: z.string(),
});
export type RangeRow = z.output<typeof rangeSchema>;
