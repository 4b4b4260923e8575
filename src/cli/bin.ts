#!/usr/bin/env node
/**
 * The `cacheorm` command (package.json `bin`): `cacheorm inspect | reindex | purge`, `--help` on each.
 * See docs/cli.md. Exit codes: 0 ok, 1 findings or an error, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import { redactCredentials } from '../errors/redact.js';
import { EXIT, type CliIo } from './args.js';
import { inspectCommand } from './inspect.js';
import { purgeCommand } from './purge.js';
import { reindexCommand } from './reindex.js';

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  inspect: inspectCommand,
  reindex: reindexCommand,
  purge: purgeCommand,
};

const USAGE = `Usage: cacheorm <command> [options]

Commands:
  inspect   what is in the cache per entity and version: keys, memory, TTLs, index sets, orphaned versions;
            with --entities, invalid values, TTL mismatches and index health (read-only)
  reindex   rebuild the index sets of a find: 'index' entity
  purge     delete an orphaned version of an entity (dry run unless --yes)

Run "cacheorm <command> --help" for a command's options. Docs: docs/cli.md.
Exit codes: 0 ok, 1 findings or an error, 2 usage.
`;

/**
 * Runs the command line `argv` (without `node` and the script) and answers the exit code.
 *
 * @example
 * const code = await main(['inspect', '--redis', 'redis://localhost:6379'], io);
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(USAGE);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.out(`${pkg.version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`cacheorm: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. Run "cacheorm --help".\n`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    const message = redactCredentials(error instanceof Error ? error.message : String(error));
    io.err(`cacheorm ${name}: ${message}\n`);
    return error instanceof ConfigError ? EXIT.usage : EXIT.findings;
  }
}

const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  tty: process.stderr.isTTY === true,
};

main(process.argv.slice(2), io).then(
  (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))),
  (error: unknown) => {
    process.stderr.write(`cacheorm: ${redactCredentials(String((error as Error)?.stack ?? error))}\n`);
    process.exit(EXIT.findings);
  },
);
