/**
 * The progress bar of a long walk: one line on stderr, redrawn at most every 100 ms, only when stderr is a
 * terminal (nothing at all on a pipe or in a file). Twenty lines of our own rather than a dependency:
 * cacheorm's runtime dependencies are installed by every application using the library, and a bar
 * library would be installed for a command most of them never run.
 */
import type { CliIo } from './args.js';

const WIDTH = 30;
const EVERY_MS = 100;

/**
 * A progress bar on `io.err`, or a no-op when `io.tty` is false.
 *
 * @example
 * const bar = progressBar(io, 'scanning');
 * bar.update(0.5, '12,000 keys'); // [###############               ]  50% scanning 12,000 keys
 * bar.done();
 */
export function progressBar(io: CliIo, label: string): { update(fraction: number, detail: string): void; done(): void } {
  if (!io.tty) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(fraction, detail) {
      const now = Date.now();
      if (now - last < EVERY_MS) return;
      last = now;
      const f = Math.max(0, Math.min(1, fraction));
      const filled = Math.round(f * WIDTH);
      io.err(`\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${String(Math.floor(f * 100)).padStart(3)}% ${label} ${detail}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) io.err('\r\x1b[K');
    },
  };
}
