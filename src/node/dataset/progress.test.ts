import { describe, expect, it } from 'vitest';
import { ProgressBar, formatDuration } from './progress.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) } };
}

describe('progress bar', () => {
  it('on a terminal redraws one line with the rate and the time left, counting only this run', () => {
    let t = 0;
    const { chunks, stream } = sink(true);
    const bar = new ProgressBar(stream, 100, 20, { now: () => t });
    t = 10_000;
    bar.update(40, 'a/b.png');
    bar.finish();
    expect(chunks[0].startsWith('\r[')).toBe(true);
    // 20 images this run in 10 s = 2 img/s; 60 left → 30 s.
    expect(chunks[0]).toContain('40/100 40.0%  2.00 img/s  30s left  a/b.png');
    expect(chunks[1]).toBe('\n');
  });

  it('elsewhere prints plain lines, at most one per interval plus the last', () => {
    let t = 0;
    const { chunks, stream } = sink(false);
    const bar = new ProgressBar(stream, 3, 0, { now: () => t, plainIntervalMs: 1000 });
    bar.update(0);
    t = 500;
    bar.update(1);
    t = 1200;
    bar.update(2);
    t = 1300;
    bar.update(3);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks.map((c) => c.split(' ')[1])).toEqual(['0/3', '2/3', '3/3']);
  });

  it('formats durations', () => {
    expect([formatDuration(59.4), formatDuration(61), formatDuration(7322), formatDuration(Infinity)]).toEqual([
      '59s',
      '1m01s',
      '2h02m',
      '?',
    ]);
  });
});
