import { describe, expect, it } from 'vitest';
import {
  findTerminateOffset,
  hookedGlueSource,
  hookRunOptions,
  setOrtModuleHook,
  type OrtWasmModule,
} from './ort-glue-hook.ts';

/**
 * A stand-in for ORT's module with its run options laid out as ORT 1.30 lays them out in wasm32
 * (two ints, a 12-byte std::string, then `terminate`), allocated from a bump allocator.
 */
function fakeOrt(terminateAt = 20) {
  const heap = new Uint8Array(4096);
  let next = 64;
  const freed: number[] = [];
  const module: OrtWasmModule = {
    HEAPU8: heap,
    _OrtCreateRunOptions(severity, verbosity, terminate) {
      const at = next;
      next += 48;
      new DataView(heap.buffer).setInt32(at, severity, true);
      new DataView(heap.buffer).setInt32(at + 4, verbosity, true);
      heap[at + 8] = 1; // not the flag: a byte that is 1 in every copy
      heap[terminateAt + at] = terminate ? 1 : 0;
      return at;
    },
    _OrtReleaseRunOptions(handle) {
      freed.push(handle);
    },
  };
  return { module, heap, freed };
}

describe('finding the terminate flag', () => {
  it('takes the one byte that is 0 with terminate off and 1 with it on', () => {
    const off = [Uint8Array.of(3, 0, 0, 9), Uint8Array.of(3, 0, 1, 9)];
    const on = [Uint8Array.of(3, 1, 1, 9), Uint8Array.of(3, 1, 1, 9)];
    expect(findTerminateOffset(off, on)).toBe(1);
  });

  it('refuses when no byte or several bytes qualify', () => {
    expect(findTerminateOffset([Uint8Array.of(0, 0)], [Uint8Array.of(0, 0)])).toBeUndefined();
    expect(findTerminateOffset([Uint8Array.of(0, 0)], [Uint8Array.of(1, 1)])).toBeUndefined();
  });
});

describe('hooking the run options', () => {
  it("reports each run's flag while its options live, and frees the probes it made", () => {
    const { module, heap, freed } = fakeOrt(20);
    const seen: string[] = [];
    const offset = hookRunOptions(module, {
      created: (i) => seen.push(`created ${i}`),
      released: (i) => seen.push(`released ${i}`),
    });
    expect(offset).toBe(20);
    expect(freed).toHaveLength(4);
    const handle = module._OrtCreateRunOptions(2, 0, false, 0);
    expect(heap[handle + 20]).toBe(0);
    module._OrtReleaseRunOptions(handle);
    expect(seen).toEqual([`created ${handle + 20}`, `released ${handle + 20}`]);
    expect(freed.at(-1)).toBe(handle);
  });

  it('wraps nothing when the layout is not recognised', () => {
    const { module } = fakeOrt(20);
    const create = module._OrtCreateRunOptions;
    // Every byte equal whatever `terminate` is: no flag to be found.
    module._OrtCreateRunOptions = (s, v, _t, tag) => create(s, v, false, tag);
    const wrapped = module._OrtCreateRunOptions;
    expect(hookRunOptions(module, { created: () => undefined, released: () => undefined })).toBeUndefined();
    expect(module._OrtCreateRunOptions).toBe(wrapped);
  });
});

describe('the glue module ORT imports', () => {
  it("runs ORT's own factory and shows the module to the hook before ORT gets it", async () => {
    const glue = `data:text/javascript,${encodeURIComponent('export default async (arg) => ({ ...arg, built: true });')}`;
    const hooked = `data:text/javascript,${encodeURIComponent(hookedGlueSource(glue))}`;
    const shown: unknown[] = [];
    setOrtModuleHook((m) => shown.push(m));
    try {
      const factory = ((await import(/* @vite-ignore */ hooked)) as { default: (arg: object) => Promise<object> })
        .default;
      const module = await factory({ numThreads: 2 });
      expect(module).toEqual({ numThreads: 2, built: true });
      expect(shown).toEqual([module]);
    } finally {
      setOrtModuleHook(undefined);
    }
  });
});
