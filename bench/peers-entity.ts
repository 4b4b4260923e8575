/**
 * The one entity every library of the peer benchmark (`bench/peers.ts`) reads and writes: a session-like
 * record with string ids, an email, two Dates, a number, a boolean, a small nested object and a tag array.
 *
 * - cacheorm: {@link PeerSession} (`defineEntity`, zod schema, key `tenantId:id`, TTL 1 h).
 * - raw ioredis, keyv, bentocache: the same object through `JSON.stringify` / their JSON serializer
 *   (Dates come back as ISO strings: only cacheorm and redis-om give Dates back).
 * - redis-om: a HASH schema ({@link omSchemaDefinition}); a HASH has no nested objects, so `device` is
 *   stored as two fields (`deviceUa`, `deviceIp`) by {@link toOmEntity}, done once before the timed code
 *   (redis-om is timed on the flat shape it stores, and answers that shape).
 */
import { z } from 'zod';
import { defineEntity } from 'cacheorm';

/** TTL of every write, in ms (1 h). */
export const PEER_TTL_MS = 3_600_000;

const peerSessionSchema = z.object({
  tenantId: z.string(),
  id: z.string(),
  userId: z.string(),
  email: z.email(),
  createdAt: z.date(),
  lastSeen: z.date(),
  hits: z.number().int().nonnegative(),
  mfa: z.boolean(),
  device: z.object({ ua: z.string(), ip: z.string() }),
  roles: z.array(z.string()),
});

/** The benchmark entity for cacheorm: keys `<prefix>:peersession:<tenantId>:<id>`. */
export const PeerSession = defineEntity({ name: 'peersession', key: ['tenantId', 'id'], schema: peerSessionSchema, ttl: '1h' });

/** The same entity with `find: 'index'` (every write also maintains its index sets), for the write rows. */
export const PeerSessionIdx = defineEntity({ name: 'peersessionidx', key: ['tenantId', 'id'], schema: peerSessionSchema, ttl: '1h', find: 'index' });

/** One session, as the application holds it. */
export type PeerSessionData = z.output<typeof peerSessionSchema>;

const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
const ROLE_SETS = [['user'], ['user', 'billing'], ['user', 'admin', 'support']];

/** Entity number `i` (deterministic: every library gets exactly the same values). */
export function peerSession(i: number): PeerSessionData {
  const tenantId = `tenant${i % 50}`;
  const id = `s${String(i).padStart(7, '0')}`;
  return {
    tenantId,
    id,
    userId: `u${(i * 7919) % 1_000_003}`,
    email: `user${i}@${tenantId}.example.com`,
    createdAt: new Date(Date.UTC(2026, 10, 1) + i * 1000),
    lastSeen: new Date(Date.UTC(2026, 10, 23, 10) + i * 17),
    hits: i % 997,
    mfa: i % 3 === 0,
    device: { ua: USER_AGENTS[i % USER_AGENTS.length]!, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    roles: ROLE_SETS[i % ROLE_SETS.length]!,
  };
}

/** The key text the string-keyed libraries (raw, keyv, bentocache, redis-om's id) use for entity `s`. */
export function peerKey(s: Pick<PeerSessionData, 'tenantId' | 'id'>): string {
  return `${s.tenantId}:${s.id}`;
}

/** redis-om 0.4 HASH schema definition of the same entity (`device` flattened, see the file comment). */
export const omSchemaDefinition = {
  tenantId: { type: 'string' },
  id: { type: 'string' },
  userId: { type: 'string' },
  email: { type: 'string' },
  createdAt: { type: 'date' },
  lastSeen: { type: 'date' },
  hits: { type: 'number' },
  mfa: { type: 'boolean' },
  deviceUa: { type: 'string' },
  deviceIp: { type: 'string' },
  roles: { type: 'string[]' },
} as const;

/** What redis-om stores: the session with `device` as two HASH fields. */
export function toOmEntity(s: PeerSessionData): Record<string, unknown> {
  return {
    tenantId: s.tenantId,
    id: s.id,
    userId: s.userId,
    email: s.email,
    createdAt: s.createdAt,
    lastSeen: s.lastSeen,
    hits: s.hits,
    mfa: s.mfa,
    deviceUa: s.device.ua,
    deviceIp: s.device.ip,
    roles: s.roles,
  };
}
