/**
 * The result of `inspect`: the stable JSON document (`--json`, documented in docs/cli.md) built from a
 * walk, and the human rendering of that same document, so both always say the same thing.
 */
import type { Declared, Example, Tally } from './checks.js';
import { formatMs } from './checks.js';
import type { Group, Measured } from './groups.js';
import type { Walked } from './walk.js';

/**
 * A count of findings among the items checked, with examples (`value` only with `--show-invalid`).
 *
 * @example
 * const t: TallyJson = { checked: 1000, count: 1, examples: [{ key: 'app:session:1', reason: '...' }] };
 */
export interface TallyJson {
  /** Items checked. */
  checked: number;
  /** Items with the finding. */
  count: number;
  /** Up to 5 of them. */
  examples: Example[];
}

/**
 * One entity (one version of it) in the `--json` document.
 *
 * @example
 * const e: EntityJson = { name: 'session', version: 2, keys: 10, bytes: 900, sampled: 10, ... };
 */
export interface EntityJson {
  /** The entity name. */
  name: string;
  /** Its version, `null` when unversioned. */
  version: number | null;
  /** Keys (exact). */
  keys: number;
  /** Total `MEMORY USAGE` of its keys: exact when `sampled === keys`, else the sample's mean times `keys`. */
  bytes: number;
  /** Keys measured (TTL, memory, checks): the sample, or every key with `--all`. */
  sampled: number;
  /** Remaining TTLs of the measured keys with one (ms); `null`s when none has one. */
  ttlMs: { min: number | null; median: number | null; max: number | null };
  /** Keys without a TTL: exact with `--all`, else the sample's share times `keys`. */
  withoutTtl: number;
  /** An older version than the declared one (or, undeclared, than the newest one present). */
  orphan: boolean;
  /** The declaration in the `--entities` module; `null` when it declares no such entity; absent without `--entities`. */
  declared?: { version: number | null; ttlMs: number | null; find: 'scan' | 'index' } | null;
  /** Values (and keys) that fail to decode or validate, among the measured ones (declared, current version). */
  invalid?: TallyJson;
  /** Stored TTLs that differ from the declared one (declared, current version). */
  ttlMismatch?: TallyJson;
  /** Index structures under `<prefix>:<entity>[~v<n>]#`, when there are any. */
  index?: {
    /** Index sets (members scored by expiry). */
    sets: number;
    /** Members of all sets (exact when every set was measured, else estimated). */
    members: number;
    /** `MEMORY USAGE` of the sets, their lexicographic companions and the registry. */
    bytes: number;
    /** Keys missing from their index set, among the measured keys (declared `find: 'index'`, current version). */
    unindexed?: TallyJson;
    /** Live index members whose key does not exist (declared `find: 'index'`, current version). */
    membersWithoutKey?: TallyJson;
  };
}

/**
 * The `--json` document of `inspect`.
 *
 * @example
 * const doc: InspectJson = JSON.parse(stdout);
 */
export interface InspectJson {
  /** The key prefix walked. */
  prefix: string;
  /** The server or cluster, without credentials. */
  target: string;
  /** `'standalone'` or `'cluster'`. */
  mode: 'standalone' | 'cluster';
  /** Keys measured per entity, or `'all'`. */
  sample: number | 'all';
  /** Keys listed under `<prefix>:`. */
  scanned: number;
  /** One element per entity and version, by name then newest version first. */
  entities: EntityJson[];
  /** Keys under the prefix that are no entity's. */
  other: { keys: number };
  /** Invalid values + TTL mismatches + index problems found (0: exit code 0). */
  findings: number;
}

const tally = (t: Tally): TallyJson => ({ checked: t.checked, count: t.count, examples: [...t.examples] });
const scale = (value: number, measured: number, total: number): number => (measured === 0 ? 0 : measured >= total ? value : Math.round((value / measured) * total));
const ttlOf = (m: Measured) => ({ min: Number.isFinite(m.ttlMin) ? m.ttlMin : null, median: m.median(), max: Number.isFinite(m.ttlMax) ? m.ttlMax : null });

/**
 * Builds the JSON document of a walk.
 *
 * @example
 * const doc = buildReport(walked, { prefix: 'app', target: conn.target, mode: conn.mode, sample: 1000, declared });
 */
export function buildReport(
  walked: Walked,
  context: { prefix: string; target: string; mode: 'standalone' | 'cluster'; sample: number | 'all'; declared: ReadonlyMap<string, Declared> | undefined },
): InspectJson {
  const groups = [...walked.groups.byBase.values()];
  const newest = new Map<string, number>();
  for (const g of groups) newest.set(g.entity, Math.max(newest.get(g.entity) ?? 0, g.version ?? 0));
  let findings = 0;
  const entities = groups.map((g: Group): EntityJson => {
    const declared = context.declared?.get(g.entity);
    const orphan = declared !== undefined ? g.version !== declared.metadata.version : (g.version ?? 0) < newest.get(g.entity)!;
    const out: EntityJson = {
      name: g.entity,
      version: g.version ?? null,
      keys: g.keys,
      bytes: scale(g.entries.bytes, g.entries.count, g.keys),
      sampled: g.entries.count,
      ttlMs: ttlOf(g.entries),
      withoutTtl: scale(g.entries.withoutTtl, g.entries.count, g.keys),
      orphan,
    };
    if (context.declared !== undefined) {
      out.declared = declared === undefined ? null : { version: declared.metadata.version ?? null, ttlMs: declared.metadata.ttlMs, find: declared.metadata.find };
    }
    const checks = walked.checks.get(g.base);
    if (checks) {
      out.invalid = tally(checks.invalid);
      out.ttlMismatch = tally(checks.ttl);
      findings += checks.invalid.count + checks.ttl.count + checks.unindexed.count + checks.orphanMembers.count;
    }
    const indexKeys = g.indexKeys.set + g.indexKeys.lex + g.indexKeys.registry + g.indexKeys.fields;
    if (indexKeys > 0 || checks?.declared.indexSets !== undefined) {
      out.index = {
        sets: g.indexKeys.set,
        members: scale(g.indexMembers, g.indexSetsMeasured, g.indexKeys.set),
        bytes: scale(g.indexes.bytes, g.indexes.count, indexKeys),
      };
      if (checks?.declared.indexSets !== undefined) {
        out.index.unindexed = tally(checks.unindexed);
        out.index.membersWithoutKey = tally(checks.orphanMembers);
      }
    }
    return out;
  });
  entities.sort((a, b) => a.name.localeCompare(b.name) || (b.version ?? 0) - (a.version ?? 0));
  return {
    prefix: context.prefix,
    target: context.target,
    mode: context.mode,
    sample: context.sample,
    scanned: walked.scanned,
    entities,
    other: { keys: walked.groups.other },
    findings,
  };
}

const num = (n: number) => n.toLocaleString('en-US');

/**
 * A byte count for people: `512 B`, `1.2 kB`, `3.4 MB`, `1.1 GB` (powers of 1000).
 *
 * @example
 * formatBytes(1_234_567); // '1.2 MB'
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/**
 * The human rendering of a report: a header, a table per entity and version, orphaned versions with
 * their cost, and the findings with example keys.
 *
 * @example
 * process.stdout.write(renderReport(doc, 1234));
 */
export function renderReport(doc: InspectJson, elapsedMs: number): string {
  const lines: string[] = [];
  lines.push(`cacheorm inspect: ${doc.target} (${doc.mode}), prefix "${doc.prefix}"`);
  lines.push(
    `${num(doc.scanned)} keys scanned in ${formatMs(elapsedMs)}; ` +
      (doc.sample === 'all'
        ? 'every key measured (--all); TTL median from a uniform sample of up to 10,000 TTLs per entity.'
        : `TTL, memory and checks measured on a uniform sample of up to ${num(doc.sample)} keys per entity (~ marks estimates; --all measures every key).`),
  );
  lines.push('');
  const rows: string[][] = [['ENTITY', 'VERSION', 'KEYS', 'MEMORY', 'TTL MIN', 'MEDIAN', 'MAX', 'NO TTL', 'INDEX']];
  for (const e of doc.entities) {
    const approx = e.sampled < e.keys ? '~' : '';
    const ms = (v: number | null) => (v === null ? '-' : formatMs(v));
    const tags = [e.orphan ? 'orphan' : '', e.declared === null ? 'undeclared' : ''].filter(Boolean).join(', ');
    rows.push([
      e.name,
      `${e.version === null ? '-' : `v${e.version}`}${tags ? ` (${tags})` : ''}`,
      num(e.keys),
      `${approx}${formatBytes(e.bytes)}`,
      ms(e.ttlMs.min),
      ms(e.ttlMs.median),
      ms(e.ttlMs.max),
      `${approx}${num(e.withoutTtl)}`,
      e.index ? `${num(e.index.sets)} set${e.index.sets === 1 ? '' : 's'}, ${num(e.index.members)} members, ${formatBytes(e.index.bytes)}` : '-',
    ]);
  }
  rows.push(['(other keys)', '', num(doc.other.keys), '', '', '', '', '', '']);
  lines.push(...table(rows));

  const orphans = doc.entities.filter((e) => e.orphan);
  if (orphans.length > 0) {
    lines.push('', 'Orphaned versions (no longer declared or superseded; they expire with their TTL, or purge them):');
    for (const e of orphans) {
      const what = `${e.name} ${e.version === null ? '(unversioned)' : `v${e.version}`}`;
      const purge = e.version === null ? '' : `  ->  cacheorm purge --redis <url> --prefix ${doc.prefix} --entity ${e.name} --version ${e.version}`;
      lines.push(`  ${what}: ${num(e.keys)} keys, ${e.sampled < e.keys ? '~' : ''}${formatBytes(e.bytes + (e.index?.bytes ?? 0))}${purge}`);
    }
  }

  const checked = doc.entities.filter((e) => e.invalid !== undefined);
  if (checked.length > 0) {
    lines.push('', 'Checks (--entities):');
    for (const e of checked) {
      const name = `${e.name}${e.version === null ? '' : ` v${e.version}`}`;
      const section = (label: string, t: TallyJson, what: string) => {
        lines.push(`  ${name}: ${label}: ${num(t.count)} of ${num(t.checked)} checked ${what}`);
        for (const x of t.examples) {
          lines.push(`    ${x.key}  ${x.reason}`);
          if (x.value !== undefined) lines.push(`      value: ${x.value}`);
        }
      };
      section('values', e.invalid!, 'are invalid');
      section('TTL', e.ttlMismatch!, `differ from the declared ${e.declared?.ttlMs == null ? "'never'" : formatMs(e.declared.ttlMs)}`);
      if (e.index?.unindexed) section('index', e.index.unindexed, 'keys are missing from the index');
      if (e.index?.membersWithoutKey) section('index', e.index.membersWithoutKey, 'live members have no key');
    }
    const undeclared = doc.entities.filter((e) => e.declared === null);
    if (undeclared.length > 0) lines.push(`  not declared in the --entities module: ${[...new Set(undeclared.map((e) => e.name))].join(', ')}`);
  }
  lines.push('', doc.findings === 0 ? 'No findings.' : `${num(doc.findings)} finding${doc.findings === 1 ? '' : 's'} (exit code 1).`, '');
  return lines.join('\n');
}
