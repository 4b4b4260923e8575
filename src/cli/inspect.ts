/** `cacheorm inspect`: what is in the cache, is it healthy, and what does it cost, per entity and version. */
import { assertPrefix } from '../keys/index.js';
import { ConfigError } from '../errors/index.js';
import { CONNECTION_OPTIONS, EXIT, parseCommand, positiveInteger, redisUrls, helpText, type CliIo, type CommandSpec } from './args.js';
import { declare, type Declared } from './checks.js';
import { connect } from './connect.js';
import { loadEntities } from './entities.js';
import { progressBar } from './progress.js';
import { buildReport, renderReport, type InspectJson } from './report.js';
import { walk } from './walk.js';

/** Keys measured per entity by default. */
export const DEFAULT_SAMPLE = 1000;

/** The options of `inspect`. */
export const INSPECT: CommandSpec = {
  name: 'inspect',
  summary:
    'Walks the keyspace under the prefix (SCAN, on every master of a cluster) and reports, per entity and version: keys, memory, ' +
    'TTLs, index sets, orphaned versions; with --entities, also invalid values, TTL mismatches and index health. Read-only.',
  options: {
    ...CONNECTION_OPTIONS,
    entities: { type: 'string', value: '<module>', description: 'a built module exporting your entities (ESM or CommonJS): enables the checks' },
    json: { type: 'boolean', description: 'print one JSON document (stable, see docs/cli.md) instead of the table' },
    sample: { type: 'string', value: '<n>', description: `keys measured per entity: TTL, MEMORY USAGE, checks (default ${DEFAULT_SAMPLE})` },
    all: { type: 'boolean', description: 'measure every key instead of a sample (slower: a few commands per key)' },
    'show-invalid': { type: 'boolean', description: 'print the stored values of the invalid examples (may show personal data)' },
  },
  notes: [
    'Exit codes: 0 no findings, 1 findings (invalid values, TTL mismatches, index problems) or an error, 2 usage.',
    'Example: cacheorm inspect --redis redis://localhost:6379 --prefix app --entities ./dist/entities.js',
  ],
};

/**
 * What `inspect` was asked.
 *
 * @example
 * const options: InspectOptions = { urls: ['redis://localhost:6379'], prefix: 'app', sample: 1000, json: false, showInvalid: false };
 */
export interface InspectOptions {
  /** `--redis` URLs. */
  urls: string[];
  /** `--prefix`. */
  prefix: string;
  /** `--entities`. */
  entities?: string;
  /** `--sample` or `'all'`. */
  sample: number | 'all';
  /** `--json`. */
  json: boolean;
  /** `--show-invalid`. */
  showInvalid: boolean;
}

/**
 * The `--prefix` of a command line (default `cache`, like `createCache`), checked.
 *
 * @example
 * prefixOption({ prefix: 'app' }); // 'app'
 */
export function prefixOption(values: Record<string, unknown>): string {
  const prefix = (values.prefix as string | undefined) ?? 'cache';
  assertPrefix(prefix);
  return prefix;
}

/**
 * The entities of `--entities`, by name, with their codecs under `prefix`.
 *
 * @example
 * const declared = await declaredEntities('./dist/entities.js', 'app');
 */
export async function declaredEntities(module: string, prefix: string): Promise<Map<string, Declared>> {
  return new Map((await loadEntities(module)).map(({ metadata }) => [metadata.name, declare(metadata, prefix)]));
}

/**
 * Parses the arguments of `inspect`. Answers `'help'` for `--help`.
 *
 * @example
 * parseInspect(['--redis', 'redis://localhost:6379', '--all']);
 */
export function parseInspect(argv: readonly string[]): InspectOptions | 'help' {
  const values = parseCommand(INSPECT, argv);
  if (values === 'help') return 'help';
  if (values.all === true && values.sample !== undefined) throw new ConfigError('Give either --sample <n> or --all, not both.');
  return {
    urls: redisUrls(values, 'inspect'),
    prefix: prefixOption(values),
    ...(typeof values.entities === 'string' ? { entities: values.entities } : {}),
    sample: values.all === true ? 'all' : values.sample === undefined ? DEFAULT_SAMPLE : positiveInteger('sample', values.sample as string),
    json: values.json === true,
    showInvalid: values['show-invalid'] === true,
  };
}

/**
 * Runs `inspect` and answers the report (the `--json` document) after printing it to `io`.
 *
 * @example
 * const doc = await runInspect(options, io); // doc.findings > 0 → exit code 1
 */
export async function runInspect(options: InspectOptions, io: CliIo): Promise<InspectJson> {
  const declared = options.entities === undefined ? undefined : await declaredEntities(options.entities, options.prefix);
  const started = Date.now();
  const conn = await connect(options.urls);
  try {
    const bar = progressBar(io, 'scanning');
    const walked = await walk(conn, {
      prefix: options.prefix,
      sample: options.sample,
      declared: declared ?? new Map(),
      showValues: options.showInvalid,
      progress: (fraction, scanned) => bar.update(fraction, `${scanned.toLocaleString('en-US')} keys`),
    });
    bar.done();
    const doc = buildReport(walked, { prefix: options.prefix, target: conn.target, mode: conn.mode, sample: options.sample, declared });
    io.out(options.json ? `${JSON.stringify(doc, null, 2)}\n` : renderReport(doc, Date.now() - started));
    return doc;
  } finally {
    await conn.close();
  }
}

/**
 * The `inspect` command: parses `argv`, runs, answers the exit code.
 *
 * @example
 * process.exitCode = await inspectCommand(process.argv.slice(3), io);
 */
export async function inspectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const options = parseInspect(argv);
  if (options === 'help') {
    io.out(helpText(INSPECT));
    return EXIT.ok;
  }
  const doc = await runInspect(options, io);
  return doc.findings > 0 ? EXIT.findings : EXIT.ok;
}
