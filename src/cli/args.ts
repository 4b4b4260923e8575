/**
 * Command-line arguments of the `cacheorm` command: one {@link CommandSpec} per command, parsed with
 * `node:util` `parseArgs` (strict: an unknown option or a missing value is a usage error), and the
 * `--help` text written from the same spec, so the two cannot disagree.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors/index.js';

/** Exit codes of the `cacheorm` command (docs/cli.md). */
export const EXIT = Object.freeze({
  /** Done, nothing to report. */
  ok: 0,
  /** Findings (invalid values, TTL mismatches, index problems) or an error (e.g. Redis unreachable). */
  findings: 1,
  /** Usage: unknown command or option, a bad value, or a request the command refuses. */
  usage: 2,
});

/**
 * One option of a command.
 *
 * @example
 * const yes: OptionSpec = { type: 'boolean', description: 'delete for real (default: dry run)' };
 */
export interface OptionSpec {
  /** `'string'` takes a value, `'boolean'` is a flag. */
  type: 'string' | 'boolean';
  /** The option may be given several times (values collected in order). */
  multiple?: boolean;
  /** A one-letter alias. */
  short?: string;
  /** The value's placeholder in the help text, e.g. `<url>`. */
  value?: string;
  /** One line for the help text. */
  description: string;
}

/**
 * A command: its name, what it does, and its options.
 *
 * @example
 * const spec: CommandSpec = { name: 'reindex', summary: 'rebuild index sets', options: { ...COMMON } };
 */
export interface CommandSpec {
  /** The command name (`inspect`, `reindex`, `purge`). */
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** Lines printed after the options in `--help` (examples, notes). */
  notes?: readonly string[];
  /** Its options (`--help` is added to every command). */
  options: Readonly<Record<string, OptionSpec>>;
}

/** Options every command that talks to Redis takes. */
export const CONNECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = Object.freeze({
  redis: {
    type: 'string',
    multiple: true,
    value: '<url>',
    description:
      'Redis URL, redis://[[user]:password@]host[:port][/db] (rediss:// for TLS). Give several (repeated or comma-separated) for the nodes of a Redis Cluster; one node of a cluster is also enough',
  },
  prefix: { type: 'string', value: '<prefix>', description: "the cache's key prefix (createCache's prefix; default: cache)" },
});

/** The parsed values of a command line: strings, booleans and lists, by option name. */
export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `argv` (the arguments after the command name) against `spec`. Answers `'help'` for `--help`/`-h`.
 *
 * @throws ConfigError for an unknown option, a missing value, or a positional argument (exit code 2).
 *
 * @example
 * parseCommand(INSPECT, ['--redis', 'redis://localhost:6379', '--json']); // { redis: ['redis://...'], json: true }
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedOptions | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, ...(option.multiple ? { multiple: true } : {}), ...(option.short ? { short: option.short } : {}) };
  }
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (cause) {
    const reason = (cause as Error).message.replace(/\s+/g, ' ').replace(/\.$/, '');
    throw new ConfigError(`${reason}. Run "cacheorm ${spec.name} --help" for the options.`, {}, { cause });
  }
  if (parsed.values.help === true) return 'help';
  if (parsed.positionals.length > 0) {
    throw new ConfigError(
      `"cacheorm ${spec.name}" takes no argument "${parsed.positionals[0]}". Run "cacheorm ${spec.name} --help" for the options.`,
    );
  }
  return parsed.values as ParsedOptions;
}

/**
 * The `--help` text of a command.
 *
 * @example
 * console.log(helpText(INSPECT));
 */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: { type: 'boolean', short: 'h', description: 'show this help' } as OptionSpec }).map(
    ([name, option]) => [`${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`, option.description],
  );
  const width = Math.max(...rows.map(([left]) => left!.length));
  return [
    `Usage: cacheorm ${spec.name} [options]`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`),
    ...(spec.notes && spec.notes.length > 0 ? ['', ...spec.notes] : []),
    '',
  ].join('\n');
}

/**
 * The Redis URLs of `--redis` (repeated or comma-separated).
 *
 * @throws ConfigError when none is given.
 *
 * @example
 * redisUrls({ redis: ['redis://a:7000,redis://b:7000'] }, 'inspect'); // ['redis://a:7000', 'redis://b:7000']
 */
export function redisUrls(values: ParsedOptions, command: string): string[] {
  const urls = ((values.redis as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (urls.length === 0) {
    throw new ConfigError(`"cacheorm ${command}" needs --redis <url>, e.g. --redis redis://localhost:6379.`);
  }
  return urls;
}

/**
 * A positive whole number from an option's text.
 *
 * @throws ConfigError for anything else.
 *
 * @example
 * positiveInteger('sample', '500'); // 500
 */
export function positiveInteger(option: string, text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`--${option} must be a positive whole number, got ${JSON.stringify(text)}.`);
  }
  return value;
}

/**
 * Where a command writes: its standard output and error, and whether stderr is a terminal (for the
 * progress bar). Tests and the benchmark pass their own.
 *
 * @example
 * const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), tty: false };
 */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard error is a terminal: only then is a progress bar drawn. */
  tty: boolean;
}
