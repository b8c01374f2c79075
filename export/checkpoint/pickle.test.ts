import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import { memorySource } from '../../src/core/bytes/byte-source.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { PyObject, UnpickleRefusedError, isTuple, unpickle } from './pickle.ts';
import { MAX_PICKLE_VALUES } from './pickle-machine.ts';
import { ZipWriter } from './zip-writer.ts';
import { concatBytes } from '../../src/test-support/concat-bytes.ts';

/** Assembles a pickle from opcode bytes and strings (strings are written as latin1 bytes). */
function pk(...parts: (number | string | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const u64 = (n: number): Uint8Array => Uint8Array.of(...u32(n), 0, 0, 0, 0);
/** BINUNICODE */
const str = (s: string): Uint8Array => {
  const b = new TextEncoder().encode(s);
  return pk(0x58, u32(b.length), b);
};
const opts = { where: 'test.pt: test/data.pkl' };

describe('safe unpickler: data', () => {
  it('protocol 2 containers, numbers, strings, memo', () => {
    const v = unpickle(
      pk(
        0x80,
        2,
        0x7d,
        0x71,
        0,
        0x28,
        str('a'),
        0x4b,
        7,
        str('b'),
        0x4d,
        0x34,
        0x12,
        str('c'),
        0x4a,
        u32(-5 >>> 0),
        str('d'),
        0x47,
        0x3f,
        0xf8,
        0,
        0,
        0,
        0,
        0,
        0,
        str('e'),
        0x5d,
        0x71,
        1,
        0x28,
        0x88,
        0x89,
        0x4e,
        0x65,
        str('f'),
        0x68,
        1,
        str('g'),
        0x4b,
        1,
        0x4b,
        2,
        0x86,
        0x75,
        0x2e,
      ),
      opts,
    ) as Map<string, unknown>;
    expect(v.get('a')).toBe(7);
    expect(v.get('b')).toBe(0x1234);
    expect(v.get('c')).toBe(-5);
    expect(v.get('d')).toBe(1.5);
    expect(v.get('e')).toEqual([true, false, null]);
    expect(v.get('f')).toBe(v.get('e')); // BINGET returns the same object
    expect(v.get('g')).toEqual([1, 2]);
    expect(isTuple(v.get('g'))).toBe(true);
    expect(isTuple(v.get('e'))).toBe(false);
  });

  it('LONG1/LONG4 give numbers when safe and bigints beyond 2^53', () => {
    const long1 = (bytes: number[]) => unpickle(pk(0x80, 2, 0x8a, bytes.length, ...bytes, 0x2e), opts);
    expect(long1([])).toBe(0);
    expect(long1([0xff])).toBe(-1);
    expect(long1([0x00, 0x80])).toBe(-32768);
    expect(long1([0x00, 0x80, 0x00])).toBe(32768);
    expect(long1([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00])).toBe(2 ** 53 - 1);
    expect(long1([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00])).toBe(2n ** 53n);
    expect(long1([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00])).toBe(2n ** 53n + 1n);
    expect(long1([0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80])).toBe(-(2n ** 63n));
    expect(unpickle(pk(0x80, 2, 0x8b, u32(2), 0xfe, 0xff, 0x2e), opts)).toBe(-2);
  });

  it('a pickle that builds millions of values is stopped at the bound, not when the heap runs out', () => {
    // One byte per value (NONE), the cheapest way to build them; empty dicts would cost 100 bytes each.
    const body = new Uint8Array(MAX_PICKLE_VALUES).fill(0x4e);
    expect(() => unpickle(concatBytes(pk(0x80, 2, 0x5d), body, pk(0x2e)), opts)).toThrow(
      `test.pt: test/data.pkl: more than ${MAX_PICKLE_VALUES} values; a checkpoint's pickle builds about 25 per tensor, ` +
        `so this is a damaged or hostile file (NONE at byte ${3 + MAX_PICKLE_VALUES - 1})`,
    );
  });

  it('huge integers: decoded in linear time, refused beyond what any checkpoint holds (a 200 KB LONG4 took two minutes)', () => {
    const n = 60_000;
    const big = new Uint8Array(n).fill(0x7f);
    const v = unpickle(concatBytes(pk(0x80, 2, 0x8b, u32(n)), big, pk(0x2e)), opts) as bigint;
    expect(v).toBe(((1n << BigInt(8 * n)) / 255n) * 0x7fn);
    // Refused from the length alone, before the bytes are even looked at.
    expect(() => unpickle(pk(0x80, 2, 0x8b, u32(200_000), 0x2e), opts)).toThrow(
      'test.pt: test/data.pkl: an integer of 200000 bytes; no checkpoint holds one beyond 65536 (LONG4 at byte 2)',
    );
    expect(() => unpickle(pk(0x80, 2, 0x4c, '7'.repeat(5000), 0x0a, 0x2e), opts)).toThrow(
      /an integer of 5000 digits, more than the 4300 Python converts from text \(LONG at byte 2\)/,
    );
    expect(unpickle(pk(0x80, 2, 0x4c, '-' + '9'.repeat(4300) + 'L', 0x0a, 0x2e), opts)).toBe(-(10n ** 4300n - 1n));
  });

  it('protocol 4/5: FRAME, SHORT_BINUNICODE, BINUNICODE8, MEMOIZE, STACK_GLOBAL, EMPTY_SET/ADDITEMS, FROZENSET, bytes', () => {
    const body = pk(
      0x7d,
      0x94,
      0x28,
      0x8c,
      1,
      'k',
      0x8c,
      11,
      'collections',
      0x94,
      0x8c,
      11,
      'OrderedDict',
      0x94,
      0x93,
      0x94,
      0x29,
      0x52,
      0x94,
      0x8c,
      2,
      'k2',
      0x8d,
      u64(3),
      'abc',
      0x8c,
      1,
      's',
      0x8f,
      0x28,
      0x4b,
      1,
      0x4b,
      2,
      0x90,
      0x8c,
      2,
      'fs',
      0x28,
      0x4b,
      3,
      0x91,
      0x8c,
      1,
      'b',
      0x43,
      2,
      0x00,
      0xff,
      0x8c,
      2,
      'b8',
      0x8e,
      u64(1),
      0x41,
      0x8c,
      2,
      'ba',
      0x96,
      u64(1),
      0x42,
      0x8c,
      3,
      'mem',
      0x68,
      2,
      0x75,
      0x2e,
    );
    const v = unpickle(pk(0x80, 4, 0x95, u64(body.length), body), opts) as Map<string, unknown>;
    expect(v.get('k')).toBeInstanceOf(Map);
    expect(v.get('k2')).toBe('abc');
    expect(v.get('s')).toEqual(new Set([1, 2]));
    expect(v.get('fs')).toEqual(new Set([3]));
    expect(v.get('b')).toEqual(Uint8Array.of(0, 255));
    expect(v.get('b8')).toEqual(Uint8Array.of(0x41));
    expect(v.get('ba')).toEqual(Uint8Array.of(0x42));
    expect(v.get('mem')).toBe('OrderedDict');
  });

  it('protocol 2 bytes via _codecs.encode and sets via __builtin__.set', () => {
    const v = unpickle(
      pk(
        0x80,
        2,
        0x63,
        '_codecs\nencode\n',
        str('\u00ff\u0001'),
        str('latin1'),
        0x86,
        0x52,
        0x63,
        '__builtin__\nset\n',
        0x5d,
        0x28,
        0x4b,
        4,
        0x4b,
        5,
        0x65,
        0x85,
        0x52,
        0x86,
        0x2e,
      ),
      opts,
    ) as unknown[];
    expect(v[0]).toEqual(Uint8Array.of(0xff, 0x01));
    expect(v[1]).toEqual(new Set([4, 5]));
  });

  it('argparse.Namespace and numpy scalars become inert placeholders', () => {
    const v = unpickle(
      pk(
        0x80,
        2,
        0x63,
        'argparse\nNamespace\n',
        0x29,
        0x81,
        0x7d,
        0x28,
        str('lr'),
        0x47,
        0x3f,
        0x1a,
        0x36,
        0xe2,
        0xeb,
        0x1c,
        0x43,
        0x2d,
        0x75,
        0x62,
        0x63,
        'numpy.core.multiarray\nscalar\n',
        0x63,
        'numpy\ndtype\n',
        str('f8'),
        0x89,
        0x88,
        0x87,
        0x52,
        0x28,
        0x4b,
        3,
        str('<'),
        0x4e,
        0x4e,
        0x4e,
        0x4a,
        u32(0xffffffff),
        0x4a,
        u32(0xffffffff),
        0x4b,
        0,
        0x74,
        0x62,
        0x43,
        8,
        0,
        0,
        0,
        0,
        0,
        0,
        0xf0,
        0x3f,
        0x86,
        0x52,
        0x86,
        0x2e,
      ),
      opts,
    ) as unknown[];
    const ns = v[0] as PyObject;
    expect(ns).toBeInstanceOf(PyObject);
    expect(ns.className).toBe('argparse.Namespace');
    expect(ns.attributes.get('lr')).toBe(1e-4);
    const scalar = v[1] as PyObject;
    expect(scalar.className).toBe('numpy.core.multiarray.scalar');
    expect((scalar.args[0] as PyObject).className).toBe('numpy.dtype');
  });
});

describe('safe unpickler: refusals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenflow-pickle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Wraps a pickle into a torch.save-shaped zip so the whole loading path is exercised. */
  async function zipWithPickle(pickle: Uint8Array): Promise<Uint8Array> {
    const sink = memorySink();
    const zip = new ZipWriter(sink);
    await zip.addStored('evil/data.pkl', pickle);
    await zip.addStored('evil/version', new TextEncoder().encode('3\n'));
    await zip.finish();
    return sink.bytes();
  }

  const evil: [string, (marker: string) => Uint8Array][] = [
    ['os.system via GLOBAL + REDUCE', (m) => pk(0x80, 2, 0x63, 'os\nsystem\n', str(`touch ${m}`), 0x85, 0x52, 0x2e)],
    [
      'os.system via STACK_GLOBAL + REDUCE',
      (m) => pk(0x80, 4, 0x8c, 2, 'os', 0x8c, 6, 'system', 0x93, str(`touch ${m}`), 0x85, 0x52, 0x2e),
    ],
    [
      'os.system hidden inside a model dict',
      (m) => pk(0x80, 2, 0x7d, 0x28, str('model'), 0x63, 'os\nsystem\n', str(`touch ${m}`), 0x85, 0x52, 0x75, 0x2e),
    ],
  ];
  for (const [what, build] of evil) {
    it(`refuses ${what}, naming it, and runs nothing`, async () => {
      const marker = join(dir, what.replace(/\W+/g, '_'));
      const bytes = await zipWithPickle(build(marker));
      const err = await loadCheckpoint(memorySource(bytes, 'checkpoint.pt')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnpickleRefusedError);
      expect((err as Error).message).toBe(
        'checkpoint.pt: evil/data.pkl refers to os.system, which a checkpoint never needs; refusing to load (nothing was executed)',
      );
      expect(existsSync(marker)).toBe(false);
    });
  }

  for (const [module, name] of [
    ['posix', 'system'],
    ['nt', 'system'],
    ['__builtin__', 'eval'],
    ['builtins', 'exec'],
    ['builtins', 'getattr'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['torch._utils', '_rebuild_qtensor'],
    ['collections', 'defaultdict'],
    ['copyreg', '_reconstructor'],
    ['numpy.core.multiarray', '_reconstruct'],
  ]) {
    it(`refuses ${module}.${name}`, () => {
      expect(() => unpickle(pk(0x80, 2, 0x63, `${module}\n${name}\n`, 0x2e), opts)).toThrow(
        `refers to ${module}.${name}, which a checkpoint never needs`,
      );
      expect(() =>
        unpickle(pk(0x80, 4, 0x8c, module.length, module, 0x8c, name.length, name, 0x93, 0x2e), opts),
      ).toThrow(`refers to ${module}.${name}`);
    });
  }

  it('will not call an allowed global that is not a function, nor a plain value', () => {
    expect(() =>
      unpickle(pk(0x80, 2, 0x63, 'torch\nFloatStorage\n', 0x29, 0x52, 0x2e), { ...opts, globals: undefined }),
    ).toThrow(/refers to torch\.FloatStorage/);
    expect(() => unpickle(pk(0x80, 2, str('os.system'), 0x29, 0x52, 0x2e), opts)).toThrow(
      /REDUCE on a string, which cannot be called \(REDUCE at byte 17\)/,
    );
    expect(() => unpickle(pk(0x80, 2, 0x4b, 1, 0x4b, 2, 0x62, 0x2e), opts)).toThrow(/BUILD on a number/);
  });

  it('names an unknown opcode and its offset', () => {
    expect(() => unpickle(pk(0x80, 2, 0x4e, 0xff, 0x2e), opts)).toThrow(
      'test.pt: test/data.pkl: unknown pickle opcode 0xff at byte 3',
    );
    expect(() => unpickle(pk(0x80, 2, 0x4b, 1, 0x5a), opts)).toThrow(/unknown pickle opcode 0x5a at byte 4/);
  });

  it('reports truncated pickles, bad protocols, persistent ids without a loader, extension codes, out-of-band buffers', () => {
    expect(() => unpickle(pk(0x80, 2, 0x58, u32(100), 'abc'), opts)).toThrow(
      /the record is truncated \(BINUNICODE at byte 2\)/,
    );
    expect(() => unpickle(pk(0x80, 2, 0x4b, 1), opts)).toThrow(/truncated/);
    expect(() => unpickle(pk(0x80, 6, 0x2e), opts)).toThrow(/protocol 6/);
    expect(() => unpickle(pk(0x80, 2, 0x4b, 1, 0x51, 0x2e), opts)).toThrow(/persistent id/);
    expect(() => unpickle(pk(0x80, 2, 0x82, 1, 0x2e), opts)).toThrow(/extension code/);
    expect(() => unpickle(pk(0x80, 5, 0x97, 0x2e), opts)).toThrow(/out-of-band/);
    expect(() => unpickle(pk(0x80, 2, 0x68, 9, 0x2e), opts)).toThrow(/memo entry 9/);
    expect(() => unpickle(pk(0x80, 2, 0x74, 0x2e), opts)).toThrow(/no MARK/);
  });
});
