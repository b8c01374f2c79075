import { describe, expect, it } from 'vitest';
import { wasmThreadsFor } from './wasm-threads.ts';

describe('wasmThreadsFor', () => {
  it('leaves one core to the page from three cores up, at most four threads; one or two cores are all used', () => {
    expect([1, 2, 3, 4, 8, 16].map(wasmThreadsFor)).toEqual([1, 2, 2, 3, 4, 4]);
  });
  it('takes one thread when the browser does not say how many cores it has', () => {
    expect([undefined, 0, -2, 2.5, NaN].map(wasmThreadsFor)).toEqual([1, 1, 1, 1, 1]);
  });
});
