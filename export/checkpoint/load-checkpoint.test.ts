import { describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import { memorySource } from '../../src/core/bytes/byte-source.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { PickleWriter, PyCustom, type PickleValue } from './pickle-writer.ts';
import { ZipWriter } from './zip-writer.ts';

async function zipOf(records: [string, Uint8Array][]): Promise<Uint8Array> {
  const sink = memorySink();
  const zip = new ZipWriter(sink);
  for (const [name, data] of records) await zip.addStored(name, data);
  await zip.finish();
  return sink.bytes();
}

/** A tensor pickled through an arbitrary rebuild call, for layouts the writer does not produce. */
function tensorVia(
  fn: string,
  storageClass: string,
  key: string,
  numel: number,
  size: number[],
  stride: number[],
  extra: (w: PickleWriter) => void,
): PickleValue {
  return new PyCustom((w) => {
    if (fn === '_rebuild_parameter') w.global('torch._utils', '_rebuild_parameter');
    w.global('torch._utils', fn === '_rebuild_parameter' ? '_rebuild_tensor_v2' : fn);
    w.mark();
    w.mark();
    w.string('storage');
    const [mod, name] = storageClass.split(':');
    w.global(mod, name);
    w.string(key);
    w.string('cuda:0');
    w.int(numel);
    w.byte(0x74, 0x51);
    w.int(0);
    w.tuple(size);
    w.tuple(stride);
    w.value(false);
    w.global('collections', 'OrderedDict');
    w.byte(0x29, 0x52);
    extra(w);
    w.byte(0x74, 0x52);
    if (fn === '_rebuild_parameter') {
      w.value(true);
      w.global('collections', 'OrderedDict');
      w.byte(0x29, 0x52);
      w.byte(0x87, 0x52);
    }
  });
}

function pickleOf(v: PickleValue): Uint8Array {
  const w = new PickleWriter(2);
  w.value(v);
  return w.finish();
}

/** Bytes written as a hex dump, e.g. '89 50 4e 47'. */
function hexBytes(dump: string): Uint8Array {
  return Uint8Array.from(dump.split(' '), (h) => parseInt(h, 16));
}

describe('loadCheckpoint: format recognition and bad input', () => {
  it('an empty file', async () => {
    await expect(loadCheckpoint(memorySource(new Uint8Array(0), 'empty.pt'))).rejects.toThrow(
      'empty.pt: the file is empty (0 bytes); neither a torch.save zip nor a safetensors file',
    );
  });

  it('a PNG, random bytes, an HTML error page', async () => {
    const png = hexBytes('89 50 4e 47 0d 0a 1a 0a 00 00 00 0d 49 48 44 52 01 02 03');
    await expect(loadCheckpoint(memorySource(png, 'photo.png'))).rejects.toThrow(
      /photo\.png: neither a torch\.save zip nor a safetensors file \(it starts with a PNG signature\)/,
    );
    let s = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    random[0] = 0x13;
    await expect(loadCheckpoint(memorySource(random, 'noise.bin'))).rejects.toThrow(
      /noise\.bin: neither a torch\.save zip nor a safetensors file/,
    );
    const html = new TextEncoder().encode('<!DOCTYPE html><html>404</html>');
    await expect(loadCheckpoint(memorySource(html, 'model.pt'))).rejects.toThrow(/HTML/);
  });

  it('a legacy (pre-1.6) torch.save file gets advice to re-save', async () => {
    const legacy = hexBytes('80 02 8a 0a 6c fc 9c 46 f9 20 6a a8 50 19 2e');
    await expect(loadCheckpoint(memorySource(legacy, 'old.pt'))).rejects.toThrow(
      /old\.pt: a legacy \(non-zip\) torch\.save file.*re-save it with a modern PyTorch/i,
    );
  });

  it('a zip without data.pkl', async () => {
    const bytes = await zipOf([
      ['readme.txt', new TextEncoder().encode('hello')],
      ['weights/notes.md', new Uint8Array(3)],
    ]);
    await expect(loadCheckpoint(memorySource(bytes, 'notes.zip'))).rejects.toThrow(
      'notes.zip: a zip file without a <folder>/data.pkl record, so not a torch.save checkpoint ' +
        '(it has 2 entries: readme.txt, weights/notes.md)',
    );
    await expect(loadCheckpoint(memorySource(await zipOf([]), 'empty.zip'))).rejects.toThrow(
      /empty\.zip: a zip file without a <folder>\/data\.pkl/,
    );
  });

  it('a checkpoint saved on a big-endian machine is refused', async () => {
    const pkl = pickleOf(new Map([['model', new Map()]]));
    const bytes = await zipOf([
      ['ckpt/data.pkl', pkl],
      ['ckpt/byteorder', new TextEncoder().encode('big')],
    ]);
    await expect(loadCheckpoint(memorySource(bytes, 'be.pt'))).rejects.toThrow(/be\.pt: .*big-endian.*not support/);
  });

  it('a storage record that is missing or too short for the tensor', async () => {
    const t = tensorVia('_rebuild_tensor_v2', 'torch:FloatStorage', '0', 6, [2, 3], [3, 1], () => {});
    const pkl = pickleOf(new Map([['model', new Map([['w', t]])]]));
    await expect(loadCheckpoint(memorySource(await zipOf([['a/data.pkl', pkl]]), 'x.pt'))).rejects.toThrow(
      "x.pt: data.pkl refers to storage '0' but the zip has no record 'a/data/0'",
    );
    const short = await zipOf([
      ['a/data.pkl', pkl],
      ['a/data/0', new Uint8Array(20)],
    ]);
    await expect(loadCheckpoint(memorySource(short, 'x.pt'))).rejects.toThrow(
      /storage '0'.*6 float32 elements \(24 bytes\) but record 'a\/data\/0' holds 20 bytes/,
    );
    const strided = tensorVia('_rebuild_tensor_v2', 'torch:FloatStorage', '0', 6, [2, 3], [4, 1], () => {});
    const over = await zipOf([
      ['a/data.pkl', pickleOf(new Map([['model', new Map([['w', strided]])]]))],
      ['a/data/0', new Uint8Array(24)],
    ]);
    await expect(loadCheckpoint(memorySource(over, 'x.pt'))).rejects.toThrow(
      /strides \(4, 1\) reach byte 28, past the storage's 24 bytes/,
    );
  });

  it('newer layouts: _rebuild_tensor_v3 over an UntypedStorage with a dtype, _rebuild_parameter, a cuda location', async () => {
    const bytes = new Uint8Array(new Float32Array([1.5, -2, 3.25, 4]).buffer);
    const v3 = tensorVia('_rebuild_tensor_v3', 'torch:UntypedStorage', '0', 16, [2, 2], [1, 2], (w) =>
      w.global('torch', 'float32'),
    );
    const param = tensorVia('_rebuild_parameter', 'torch:HalfStorage', '1', 2, [2], [1], () => {});
    const pkl = pickleOf(
      new Map([
        [
          'model',
          new Map([
            ['v3', v3],
            ['p', param],
          ]),
        ],
      ]),
    );
    const half = Uint8Array.of(0x00, 0x3c, 0x00, 0xc0); // 1.0, -2.0
    const ckpt = await loadCheckpoint(
      memorySource(
        await zipOf([
          ['n/data.pkl', pkl],
          ['n/data/0', bytes],
          ['n/data/1', half],
        ]),
        'new.pt',
      ),
    );
    expect(ckpt.stateDict.get('v3')!.dtype).toBe('float32');
    expect([...(await ckpt.stateDict.get('v3')!.readFloat32())]).toEqual([1.5, 3.25, -2, 4]);
    expect(ckpt.stateDict.get('p')!.dtype).toBe('float16');
    expect([...(await ckpt.stateDict.get('p')!.readFloat32())]).toEqual([1, -2]);
  });

  it('lists the top-level keys when no weights are found; non-tensor values of a state dict are skipped', async () => {
    const pkl = pickleOf(
      new Map<PickleValue, PickleValue>([
        ['weights', new Map()],
        ['epoch', 3],
      ]),
    );
    await expect(loadCheckpoint(memorySource(await zipOf([['a/data.pkl', pkl]]), 'x.pt'))).rejects.toThrow(
      "x.pt: no weights found; the top level has keys ['weights', 'epoch'] " +
        "but the official readers look for 'ema', then 'model', then 'state_dict'",
    );
    const t = tensorVia('_rebuild_tensor_v2', 'torch:FloatStorage', '0', 1, [], [], () => {});
    const mixed = pickleOf(
      new Map([
        [
          'model',
          new Map<PickleValue, PickleValue>([
            ['w', t],
            ['note', 'hello'],
            ['n', 3],
          ]),
        ],
      ]),
    );
    const ckpt = await loadCheckpoint(
      memorySource(
        await zipOf([
          ['a/data.pkl', mixed],
          ['a/data/0', new Uint8Array(4)],
        ]),
        'x.pt',
      ),
    );
    expect([...ckpt.stateDict.keys()]).toEqual(['w']);
  });
});
