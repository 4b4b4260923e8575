/**
 * `--entities <module>`: imports an application's module (ES module or CommonJS, by Node's own rules) and
 * collects every entity it exports (`@CacheEntity` classes and `defineEntity` results, named exports and
 * the properties of a default-exported object).
 *
 * A CommonJS module registers its entities with the CommonJS build of cacheorm, an ES module with the ES
 * build: two copies of the registry (and a project may also resolve its own install of cacheorm). So the
 * entities are looked up in this build, then in the other build of this package, then in the copies the
 * module itself resolves, and registered with this build, so the rest of the command (and a repository for
 * `reindex`) works on them whatever their origin.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findEntityMetadata, registerEntity, type EntityMetadata } from '../entity/metadata.js';
import { ConfigError } from '../errors/index.js';

/**
 * An entity exported by the `--entities` module.
 *
 * @example
 * const [{ metadata }] = await loadEntities('./dist/entities.js'); // metadata.name === 'session'
 */
export interface LoadedEntity {
  /** The exported class or definition object. */
  readonly target: object;
  /** Its metadata. */
  readonly metadata: EntityMetadata;
}

type Finder = (target: unknown) => EntityMetadata | undefined;

/**
 * Imports `module` (a path, relative to the working directory) and answers its entities, one per name.
 *
 * @throws ConfigError when the file does not exist, cannot be imported, exports no entity, or exports two
 *   different entities with one name.
 *
 * @example
 * const entities = await loadEntities('./dist/cache/entities.js');
 */
export async function loadEntities(module: string): Promise<LoadedEntity[]> {
  const file = resolve(module);
  if (!existsSync(file)) {
    throw new ConfigError(`The --entities module ${JSON.stringify(module)} does not exist. Pass the path of a built .js/.mjs/.cjs file that exports your entities.`);
  }
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError(
      `The --entities module ${JSON.stringify(module)} could not be imported: ${(cause as Error)?.message ?? String(cause)}. ` +
        'Pass built JavaScript (for TypeScript sources, run the command with NODE_OPTIONS="--import tsx").',
      {},
      { cause },
    );
  }
  const finders = await finderChain(file);
  const byName = new Map<string, LoadedEntity>();
  for (const candidate of candidates(namespace)) {
    const metadata = finders.reduce<EntityMetadata | undefined>((found, find) => found ?? find(candidate), undefined);
    if (metadata === undefined) continue;
    const other = byName.get(metadata.name);
    if (other !== undefined && other.target !== candidate) {
      throw new ConfigError(`The --entities module exports two different entities named "${metadata.name}". Give each entity its own name.`);
    }
    if (findEntityMetadata(candidate) === undefined) registerEntity(candidate as object, metadata);
    byName.set(metadata.name, { target: candidate as object, metadata });
  }
  if (byName.size === 0) {
    throw new ConfigError(
      `The --entities module ${JSON.stringify(module)} exports no cache entity. Export your @CacheEntity classes or defineEntity() results from it.`,
    );
  }
  return [...byName.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** The exported values, and the properties of a default-exported plain object (a CommonJS `module.exports`). */
function candidates(namespace: Record<string, unknown>): unknown[] {
  const out = new Set<unknown>();
  for (const value of Object.values(namespace)) {
    out.add(value);
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      for (const inner of Object.values(value as Record<string, unknown>)) out.add(inner);
    }
  }
  return [...out].filter((v) => typeof v === 'function' || (typeof v === 'object' && v !== null));
}

/** Metadata look-ups: this build, this package's other build, then the cacheorm the module resolves. */
async function finderChain(file: string): Promise<Finder[]> {
  const finders: Finder[] = [findEntityMetadata];
  const own = createRequire(import.meta.url);
  // From dist/esm/cli/ (the built command) to dist/cjs/index.js.
  const mine = [fileURLToPath(new URL('../../cjs/index.js', import.meta.url))];
  const theirs = createRequire(file);
  const root = tryResolve(() => dirname(theirs.resolve('cacheorm/package.json')));
  const modules = [
    ...mine,
    root === undefined ? undefined : join(root, 'dist', 'cjs', 'index.js'),
    root === undefined ? undefined : join(root, 'dist', 'esm', 'index.js'),
  ];
  const seen = new Set<string>();
  for (const path of modules) {
    if (path === undefined || seen.has(path) || !existsSync(path)) continue;
    seen.add(path);
    try {
      const api = (path.endsWith(join('cjs', 'index.js')) ? own(path) : await import(pathToFileURL(path).href)) as { getEntityMetadata?: (t: unknown) => EntityMetadata };
      const get = api.getEntityMetadata;
      if (typeof get === 'function') finders.push((target) => tryResolve(() => get(target)));
    } catch {
      // Not a usable copy of cacheorm: skip it.
    }
  }
  return finders;
}

function tryResolve<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
