/**
 * Hash tags: key fields written inside `{...}` so that Redis Cluster puts every key sharing their values
 * in one hash slot (one tenant's entities on one master, multi-key commands and scripts over them allowed).
 *
 * Redis hashes only the text between the **first** `{` of a key and the first `}` after it. So all
 * hash-tag fields go inside one pair of braces, joined by `:` like any other parts:
 *
 * - `hashTag: ['tenantId']` → `app:session:{acme}:42`
 * - `hashTag: ['tenantId', 'region']` → `app:session:{acme:eu}:42`
 * - with a version: `app:session~v2:{acme}:42`
 *
 * Rules (checked when the entity is declared, {@link EntityDefinitionError} otherwise): the hash-tag
 * fields are key fields, each listed once, and they are the **first** key fields, in key order. Leading
 * because a pattern fixing them is then also a literal key prefix: a `find` on one tenant reads one slot
 * with `SCAN` and one range of the tenant's index set. Parts never contain `:`, `{` or `}` (they are
 * %-encoded), so the braces are unambiguous: keys stay injective and decodable, and the prefix, entity
 * name and version can hold no brace either, so the first `{` of a key is always the tag's.
 */
import { EntityDefinitionError } from '../errors/index.js';

/**
 * Checks an entity's `hashTag` option against its key fields and answers it as a list of field names
 * (empty when the option is absent).
 *
 * @throws EntityDefinitionError when `hashTag` is not a non-empty array of key field names, lists a field
 *   twice, or is not the leading run of the key (`key: ['tenantId', 'id']` allows `['tenantId']` and
 *   `['tenantId', 'id']`, not `['id']`).
 *
 * @example
 * checkHashTag('session', ['tenantId', 'id'], ['tenantId']); // ['tenantId']
 * checkHashTag('session', ['tenantId', 'id'], ['id']);       // throws: not the first key field
 */
export function checkHashTag(entity: string, keyFields: readonly string[], hashTag: unknown): readonly string[] {
  if (hashTag === undefined) return [];
  const fail = (problem: string): never => {
    throw new EntityDefinitionError(
      `Entity "${entity}" has hashTag ${describe(hashTag)}: ${problem} The hash tag lists the leading key fields ` +
        `whose values should share a Redis Cluster slot, in key order, e.g. hashTag: [${JSON.stringify(keyFields[0] ?? 'tenantId')}].`,
      { entity },
    );
  };
  if (!Array.isArray(hashTag) || hashTag.length === 0) fail('it must be a non-empty array of key field names.');
  const names = hashTag as unknown[];
  const seen = new Set<unknown>();
  names.forEach((name, i) => {
    if (typeof name !== 'string' || !keyFields.includes(name)) {
      fail(`${JSON.stringify(name)} is not a key field (key fields: ${keyFields.join(', ')}).`);
    }
    if (seen.has(name)) fail(`it lists "${String(name)}" twice.`);
    seen.add(name);
    if (keyFields[i] !== name) {
      fail(
        `hash-tag fields must be the first key fields, in key order (Redis hashes only the first {...} of a key); ` +
          `put ${JSON.stringify(name)} first in the key, or tag the leading fields instead.`,
      );
    }
  });
  return Object.freeze([...(names as string[])]);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The strings written around the `count` parts of a key (`glue[i]` before part `i`, `glue[count]` after
 * the last one), with the first `tagged` parts inside one pair of braces.
 *
 * @example
 * keyGlue('app:session:', 2, 0); // ['app:session:', ':', '']
 * keyGlue('app:session:', 2, 1); // ['app:session:{', '}:', '']         → app:session:{acme}:42
 * keyGlue('app:session:', 3, 2); // ['app:session:{', ':', '}:', '']    → app:session:{acme:eu}:42
 */
export function keyGlue(base: string, count: number, tagged: number): string[] {
  const glue = [tagged > 0 ? `${base}{` : base];
  for (let i = 1; i < count; i++) glue.push(i === tagged ? '}:' : ':');
  glue.push(tagged === count ? '}' : '');
  return glue;
}
