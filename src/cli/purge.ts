/**
 * `cacheorm purge`: deletes the keys (and index structures) of one orphaned version of an entity. A dry
 * run unless `--yes`; with `--entities`, refuses the version the module declares as current.
 */
import { ConfigError } from '../errors/index.js';
import { ENTITY_NAME_RULE, entityBase, parseEntityBase } from '../keys/index.js';
import { CONNECTION_OPTIONS, EXIT, helpText, parseCommand, positiveInteger, redisUrls, type CliIo, type CommandSpec } from './args.js';
import { connect, onNode } from './connect.js';
import { declaredEntities, prefixOption } from './inspect.js';
import { progressBar } from './progress.js';
import { SCAN_COUNT } from './walk.js';

/** Example keys a dry run prints. */
const SHOWN = 10;

/** The options of `purge`. */
export const PURGE: CommandSpec = {
  name: 'purge',
  summary:
    'Deletes every key of one version of an entity (<prefix>:<entity>~v<n>:...) and its index sets, e.g. an old version orphaned by a ' +
    'schema change. Dry run by default: prints what would be deleted.',
  options: {
    ...CONNECTION_OPTIONS,
    entity: { type: 'string', value: '<name>', description: 'the entity name' },
    version: { type: 'string', value: '<n>', description: 'the version to delete' },
    entities: { type: 'string', value: '<module>', description: 'your entities module: purge then refuses the version it declares as current' },
    yes: { type: 'boolean', description: 'delete for real (UNLINK); without it nothing is deleted' },
    json: { type: 'boolean', description: 'print one JSON document: { entity, version, keys, deleted, dryRun, examples }' },
  },
  notes: [
    'Exit codes: 0 done (or dry run), 1 error, 2 usage (including purging the declared current version).',
    'Example: cacheorm purge --redis redis://localhost:6379 --prefix app --entity session --version 1 --yes',
  ],
};

/**
 * The `purge` command: parses `argv`, runs, answers the exit code.
 *
 * @example
 * process.exitCode = await purgeCommand(['--redis', url, '--entity', 'session', '--version', '1'], io);
 */
export async function purgeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommand(PURGE, argv);
  if (values === 'help') {
    io.out(helpText(PURGE));
    return EXIT.ok;
  }
  const urls = redisUrls(values, 'purge');
  const prefix = prefixOption(values);
  const entity = values.entity as string | undefined;
  if (entity === undefined) throw new ConfigError('"cacheorm purge" needs --entity <name> (the entity whose old version to delete).');
  if (values.version === undefined) throw new ConfigError('"cacheorm purge" needs --version <n> (the orphaned version to delete).');
  const version = positiveInteger('version', values.version as string);
  if (!ENTITY_NAME_RULE.test(entity)) {
    throw new ConfigError(`${JSON.stringify(entity)} is not a valid entity name: a letter, then letters, digits, "_", "." or "-".`);
  }
  const base = entityBase(prefix, entity, version).slice(0, -1);
  const current = typeof values.entities === 'string' ? (await declaredEntities(values.entities, prefix)).get(entity) : undefined;
  if (current !== undefined && current.metadata.version === version) {
    throw new ConfigError(
      `Refusing to purge ${entity} v${version}: the --entities module declares it as the current version of "${entity}". ` +
        'Purge only versions the application no longer reads.',
    );
  }
  const dryRun = values.yes !== true;
  const conn = await connect(urls);
  let keys = 0;
  let deleted = 0;
  const examples: string[] = [];
  try {
    const bar = progressBar(io, dryRun ? 'listing' : 'deleting');
    await Promise.all(
      conn.nodes.map(async (node) => {
        let cursor = '0';
        do {
          const [next, listed] = await node.scan(cursor, 'MATCH', `${base}*`, 'COUNT', SCAN_COUNT);
          cursor = next;
          // `${base}*` also lists e.g. `~v10` when purging `~v1`: keep only this exact entity segment.
          const mine = listed.filter((key) => parseEntityBase(prefix, key)?.base === base);
          keys += mine.length;
          for (const key of mine) if (examples.length < SHOWN) examples.push(key);
          if (!dryRun && mine.length > 0) {
            const replies = await onNode(node, mine.map((key) => ['UNLINK', key]));
            deleted += replies.filter((r) => r === 1).length;
          }
          bar.update(cursor === '0' ? 1 : 0.5, `${keys.toLocaleString('en-US')} keys`);
        } while (cursor !== '0');
      }),
    );
    bar.done();
  } finally {
    await conn.close();
  }
  if (values.json === true) {
    io.out(`${JSON.stringify({ prefix, entity, version, keys, deleted, dryRun, examples }, null, 2)}\n`);
  } else if (dryRun) {
    io.out(
      [
        `Dry run on ${conn.target}: ${keys.toLocaleString('en-US')} keys of ${entity} v${version} under "${prefix}" would be deleted${keys > 0 ? ', e.g.:' : '.'}`,
        ...examples.map((key) => `  ${key}`),
        keys > 0 ? 'Run again with --yes to delete them.' : '',
        '',
      ].join('\n'),
    );
  } else {
    io.out(`Deleted ${deleted.toLocaleString('en-US')} keys of ${entity} v${version} under "${prefix}" on ${conn.target}.\n`);
  }
  return EXIT.ok;
}
