import { describe, expect, it } from 'vitest';
import { latestOnly } from './latest-only.ts';

describe('latestOnly', () => {
  it('runs the first request, drops superseded ones and runs the newest', async () => {
    const ran: number[] = [];
    let release: () => void = () => {};
    const job = latestOnly(async (n: number) => {
      ran.push(n);
      if (n === 1) await new Promise<void>((r) => (release = r));
    });
    const all = [job(1), job(2), job(3), job(4)];
    await Promise.resolve();
    expect(ran).toEqual([1]);
    release();
    await Promise.all(all);
    expect(ran).toEqual([1, 4]);
    await job(5);
    expect(ran).toEqual([1, 4, 5]);
  });

  it('keeps going after a failing run', async () => {
    const ran: number[] = [];
    const job = latestOnly(async (n: number) => {
      ran.push(n);
      if (n === 1) throw new Error('boom');
    });
    await Promise.all([job(1), job(2)]);
    expect(ran).toEqual([1, 2]);
  });
});
