import { describe, expect, it } from 'vitest';
import { wasmThreadsFor } from './wasm-threads.ts';

describe('wasmThreadsFor', () => {
  it('leaves one core to the page, with at least one thread and at most four', () => {
    expect([1, 2, 3, 4, 8, 16].map(wasmThreadsFor)).toEqual([1, 1, 2, 3, 4, 4]);
  });
  it('takes one thread when the browser does not say how many cores it has', () => {
    expect([undefined, 0, -2, 2.5, NaN].map(wasmThreadsFor)).toEqual([1, 1, 1, 1, 1]);
  });
});
