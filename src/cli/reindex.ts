/** `cacheorm reindex`: rebuilds a `find: 'index'` entity's index sets with the repository's own `reindex()`. */
import { createCache } from '../cache/index.js';
import { ConfigError } from '../errors/index.js';
import { CONNECTION_OPTIONS, EXIT, helpText, parseCommand, redisUrls, type CliIo, type CommandSpec } from './args.js';
import { connect } from './connect.js';
import { loadEntities } from './entities.js';
import { prefixOption } from './inspect.js';

/** The options of `reindex`. */
export const REINDEX: CommandSpec = {
  name: 'reindex',
  summary:
    "Rebuilds the index sets of an entity with find: 'index' (Repository.reindex(): adds missing keys, drops members whose key is gone) " +
    'and its field indexes (each key\'s entries recomputed from its current value). ' +
    'Safe while the application runs.',
  options: {
    ...CONNECTION_OPTIONS,
    entities: { type: 'string', value: '<module>', description: 'a built module exporting your entities (ESM or CommonJS)' },
    entity: { type: 'string', value: '<name>', description: 'the entity to reindex' },
    json: { type: 'boolean', description: 'print one JSON document: { entity, version, keys }' },
  },
  notes: [
    'Exit codes: 0 done, 1 error, 2 usage.',
    'Example: cacheorm reindex --redis redis://localhost:6379 --prefix app --entities ./dist/entities.js --entity session',
  ],
};

/**
 * The `reindex` command: parses `argv`, runs, answers the exit code.
 *
 * @example
 * process.exitCode = await reindexCommand(['--redis', url, '--entities', './e.js', '--entity', 'session'], io);
 */
export async function reindexCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommand(REINDEX, argv);
  if (values === 'help') {
    io.out(helpText(REINDEX));
    return EXIT.ok;
  }
  const urls = redisUrls(values, 'reindex');
  const prefix = prefixOption(values);
  if (typeof values.entities !== 'string') throw new ConfigError('"cacheorm reindex" needs --entities <module> (the module exporting your entities).');
  if (typeof values.entity !== 'string') throw new ConfigError('"cacheorm reindex" needs --entity <name> (the entity to reindex).');
  const entities = await loadEntities(values.entities);
  const found = entities.find((e) => e.metadata.name === values.entity);
  if (found === undefined) {
    throw new ConfigError(
      `The --entities module declares no entity "${values.entity}". It declares: ${entities.map((e) => e.metadata.name).join(', ')}.`,
    );
  }
  const { metadata } = found;
  if (metadata.find !== 'index') {
    throw new ConfigError(`Entity "${metadata.name}" has find: 'scan': it keeps no index set, so there is nothing to rebuild.`);
  }
  const conn = await connect(urls);
  let keys: number;
  try {
    const cache = createCache({ redis: conn.client, prefix, commandTimeout: 30_000 });
    try {
      keys = await cache.getRepository(found.target as Parameters<typeof cache.getRepository>[0]).reindex();
    } finally {
      await cache.close();
    }
  } finally {
    await conn.close();
  }
  const version = metadata.version ?? null;
  if (values.json === true) io.out(`${JSON.stringify({ prefix, entity: metadata.name, version, keys }, null, 2)}\n`);
  else io.out(`Reindexed ${metadata.name}${version === null ? '' : ` v${version}`} on ${conn.target}: ${keys.toLocaleString('en-US')} live keys are in its index.\n`);
  return EXIT.ok;
}
