/** `explainPlan`: a find plan in words, and the value formatting its conditions use. */
import { hashTagOf } from '../store/redis/cluster/slots.js';
import { MAX_IN_MEMORY_ORDER } from './order.js';
import type { QueryPlan } from './plan.js';

const MAX_KEYS_SHOWN = 5;
const MAX_VALUE_TEXT = 120;

/**
 * A readable, multi-line description of a plan: the strategy, the Redis commands it runs, the
 * conditions re-checked on each key, the residual filter on fetched values and the order. Stable enough to assert
 * on in tests; meant for humans (`query.explain()`), not for parsing (use `JSON.stringify(plan)`).
 *
 * @example
 * console.log(explainPlan(planFind({ metadata, keys, pattern: { tenantId: 'acme', id: prefix('a1'), email: contains('@corp') } })));
 * // find on entity "session": SCAN (walks the keyspace, filtered by a glob)
 * //   SCAN 0 MATCH cache:session:acme:a1* COUNT 1000 (repeated until the cursor is 0)
 * //   MGET each batch of matching keys (to read the values)
 * //   key filter: tenantId = "acme"; id starts with "a1"
 * //   residual: email contains "@corp"
 */
export function explainPlan(plan: QueryPlan): string {
  const lines: string[] = [];
  const head = `find on entity "${plan.entity}": `;
  switch (plan.kind) {
    case 'empty':
      lines.push(`${head}nothing to run (${plan.reason.replace(/\.$/, '')})`);
      break;
    case 'get':
      lines.push(`${head}GET (every key field is a literal)`, `  GET ${plan.key}`);
      break;
    case 'mget': {
      const shown = plan.keys.slice(0, MAX_KEYS_SHOWN).join(' ');
      const more = plan.keys.length > MAX_KEYS_SHOWN ? ` ... (+${plan.keys.length - MAX_KEYS_SHOWN} more)` : '';
      const batches = plan.keys.length > plan.count ? `, in batches of ${plan.count}` : '';
      lines.push(`${head}MGET of ${plan.keys.length} keys (key fields are literals and oneOf${batches})`, `  MGET ${shown}${more}`);
      break;
    }
    case 'scan': {
      lines.push(
        `${head}SCAN (walks the keyspace, filtered by a glob)`,
        `  SCAN 0 MATCH ${plan.match} COUNT ${plan.count} (repeated until the cursor is 0)`,
      );
      const tag = hashTagOf(/^[^*?[\\]*/.exec(plan.match)![0]);
      if (tag !== undefined) lines.push(`  hash tag {${tag}} is fixed: one slot, so on Redis Cluster only the master owning it is scanned`);
      break;
    }
    case 'index':
      if (plan.perTag) {
        const each = plan.prefix !== undefined
          ? `ZRANGEBYLEX <set>:lex [${plan.prefix} (${plan.prefix}\\xff LIMIT 0 ${plan.count}`
          : `ZSCAN <set> 0 MATCH ${plan.match} COUNT ${plan.count}`;
        lines.push(
          `${head}index across hash tags (the pattern does not fix the hash tag: reads every tag's index set; expired members are pruned first)`,
          `  ZRANGE ${plan.index} <now> +inf BYSCORE (the registry: one index set per hash-tag value)`,
          `  ${each} (for each listed <set>, page by page, live members only)`,
        );
        if (plan.prefix !== undefined && plan.match !== undefined) lines.push(`  glob filter: ${plan.match}`);
        break;
      }
      if (plan.prefix !== undefined) {
        lines.push(
          plan.keyConditions.length === 0
            ? `${head}index walk in key order (no key condition: reads the entity's whole index set, a member at a time in key order, so re-saves meanwhile never move one past the walk; expired members are pruned first)`
            : `${head}index range (reads only the keys starting with the pattern's literal prefix; expired members are pruned first)`,
          `  ZRANGEBYLEX ${plan.index}:lex [${plan.prefix} (${plan.prefix}\\xff LIMIT 0 ${plan.count} (page by page, live members only)`,
        );
        if (plan.match !== undefined) lines.push(`  glob filter: ${plan.match}`);
        break;
      }
      lines.push(`${head}index (walks the entity's index set; expired members are pruned first)`);
      lines.push(`  ZSCAN ${plan.index} 0 MATCH ${plan.match} COUNT ${plan.count} (repeated until the cursor is 0)`);
      break;
  }
  if (plan.kind === 'field') {
    const cmd = plan.reverse ? 'ZREVRANGEBYLEX' : 'ZRANGEBYLEX';
    const ranges = plan.ranges.length === 1 ? 'one range' : `${plan.ranges.length} ranges, one per value, in value order`;
    lines.push(`${head}field index "${plan.field}" (${plan.reason})`);
    if (plan.perTag) {
      lines.push(
        `  ZRANGE ${plan.index} <now> +inf BYSCORE (the registry: the pattern does not fix the hash tag, so every tag's index is read; expired members pruned first)`,
        `  ${cmd} <set>:fields over field "${plan.field}" (${ranges}; LIMIT 0 ${plan.count} per page, for each listed <set>; only keys that exist)`,
      );
    } else {
      lines.push(`  ${cmd} ${plan.index}:fields over field "${plan.field}" (${ranges}; LIMIT 0 ${plan.count} per page; only keys that exist; expired members pruned first)`);
    }
    for (const p of plan.intersect) lines.push(`  intersect: the keys of field index "${p.field}" (${p.ranges.length === 1 ? 'one range' : `${p.ranges.length} ranges`}) are read first; only keys in both are fetched`);
    lines.push('  MGET each batch of candidate keys (the whole pattern is re-checked on the values)');
  }
  if (plan.kind === 'scan' || plan.kind === 'index') {
    lines.push(`  MGET each batch of matching keys (to read the values${plan.keysOnly ? '; skipped by keys(), count() and delete()' : ''})`);
  }
  if (plan.keyConditions.length > 0) {
    lines.push(`  ${plan.keyFilter ? 'key filter' : 'key'}: ${plan.keyConditions.join('; ')}`);
  }
  if (plan.residual.length > 0) lines.push(`  residual: ${plan.residual.join('; ')}`);
  const { order } = plan;
  if (order !== undefined) {
    const how = order.inMemory
      ? `sorted in memory after the reads (at most ${MAX_IN_MEMORY_ORDER} matches, MAX_IN_MEMORY_ORDER; more throws InvalidQueryError${order.keyField ? '' : `: index "${order.field}" to stream in order`})`
      : 'streamed in this order';
    lines.push(`  order: ${order.field} ${order.direction}, ties by key, missing values last; ${how}`);
  }
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

/**
 * A short, readable rendering of a condition value: strings quoted, bigints with `n`, dates in ISO
 * form, `Map`/`Set`/arrays/objects by content (shortened past ~120 characters). @internal
 *
 * @example
 * describeValue(new Date(0));          // '1970-01-01T00:00:00.000Z'
 * describeValue(new Set(['a', 'b']));  // 'Set {"a", "b"}'
 * describeValue(10n);                  // '10n'
 */
export function describeValue(value: unknown): string {
  const text = render(value, 0);
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return '[function]';
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value === null) return 'null';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof URL) return `URL ${JSON.stringify(value.href)}`;
  if (depth >= 3) return '…';
  const inner = (v: unknown): string => render(v, depth + 1);
  const list = (items: Iterable<unknown>, show: (item: unknown) => string): string => {
    const out: string[] = [];
    for (const item of items) {
      if (out.length === 10) {
        out.push('…');
        break;
      }
      out.push(show(item));
    }
    return out.join(', ');
  };
  if (Array.isArray(value)) return `[${list(value, inner)}]`;
  if (value instanceof Set) return `Set {${list(value, inner)}}`;
  if (value instanceof Map) {
    return `Map {${list(value, (entry) => {
      const [k, v] = entry as [unknown, unknown];
      return `${inner(k)} => ${inner(v)}`;
    })}}`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{ ${list(entries, (entry) => {
    const [k, v] = entry as [string, unknown];
    return `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inner(v)}`;
  })} }`;
}
