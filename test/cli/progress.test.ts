/** The progress bar of long walks: drawn on a terminal only, and cleared at the end. */
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress.js';

const io = (tty: boolean) => {
  const err: string[] = [];
  return { io: { out: () => undefined, err: (t: string) => void err.push(t), tty }, err };
};

describe('progressBar', () => {
  it('draws one redrawn line on stderr on a terminal, and clears it when done', () => {
    const { io: terminal, err } = io(true);
    const bar = progressBar(terminal, 'scanning');
    bar.update(0.5, '1,000 keys');
    bar.update(0.6, '1,200 keys'); // within 100 ms: not redrawn
    bar.done();
    expect(err).toEqual([`\r[${'#'.repeat(15)}${' '.repeat(15)}]  50% scanning 1,000 keys\x1b[K`, '\r\x1b[K']);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { io: pipe, err } = io(false);
    const bar = progressBar(pipe, 'scanning');
    bar.update(0.5, 'x');
    bar.done();
    expect(err).toEqual([]);
  });
});
