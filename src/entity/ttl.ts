/** Parsing of TTLs: a number of milliseconds, a duration string, or `'never'`. */

/**
 * A TTL: milliseconds, `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'7d'`, or `'never'` (no expiry).
 *
 * @example
 * const ttl: Ttl = '30m';
 * await repo.save(session, { ttl: 60_000 });
 * await repo.touch(key, 'never');
 */
export type Ttl = number | `${bigint}${'ms' | 's' | 'm' | 'h' | 'd'}` | 'never';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** The accepted TTL forms, for error messages. */
export const TTL_FORMS =
  "a positive integer number of milliseconds, a string like '500ms', '30s', '5m', '1h' or '7d', or 'never'";

/**
 * Converts a TTL to milliseconds (`null` for `'never'`). Returns an error message instead of throwing
 * so each caller can raise the error type that fits (definition time vs call time).
 */
export function parseTtl(ttl: unknown): { ms: number | null } | { error: string } {
  if (ttl === 'never') return { ms: null };
  if (typeof ttl === 'number') {
    if (Number.isSafeInteger(ttl) && ttl > 0) return { ms: ttl };
    return { error: `The TTL ${String(ttl)} is not valid: use ${TTL_FORMS}.` };
  }
  if (typeof ttl === 'string') {
    const m = DURATION.exec(ttl);
    if (m) {
      const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
      if (ms > 0 && Number.isSafeInteger(ms)) return { ms };
    }
    return { error: `The TTL ${JSON.stringify(ttl)} is not valid: use ${TTL_FORMS}.` };
  }
  if (ttl === undefined) return { error: `No TTL was given: use ${TTL_FORMS}.` };
  return { error: `The TTL ${typeof ttl === 'object' ? JSON.stringify(ttl) : String(ttl)} is not valid: use ${TTL_FORMS}.` };
}
