import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { memorySink } from '../../src/core/bytes/byte-sink.ts';
import { GraphBuilder, type Graph } from './graph-builder.ts';
import { conv2d, groupNorm, linear, nchwToTokens, silu } from './layers.ts';
import { writeOnnxModel, type WriteOnnxOptions } from './streaming-writer.ts';
import { nodeFileSink } from '../../src/node/file-byte-sink.ts';
import { maxAbsDiff, memoryStateDict, randomFloats, runModel } from '../../src/test-support/onnx-models.ts';

const { onnx } = onnxProto;

/** Decoded messages are class instances whose fields are always set; the I* interfaces say optional. */
function decodeGraph(bytes: Uint8Array): { graph: P.GraphProto; inits: P.TensorProto[] } {
  const graph = onnx.ModelProto.decode(bytes).graph as P.GraphProto;
  return { graph, inits: graph.initializer as P.TensorProto[] };
}
const dir = mkdtempSync(join(tmpdir(), 'tokenflow-onnx-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tiny model: conv3×3 (3→4) → GroupNorm(2) → SiLU → Downsample-style conv (stride 2,
// pads [0,0,1,1]) → tokens → Linear(4→5).
const C_IN = 3;
const C = 4;
const H = 6;
const weights = {
  'a.weight': { shape: [C, C_IN, 3, 3], data: randomFloats(C * C_IN * 9, 1, 0.5) },
  'a.bias': { shape: [C], data: randomFloats(C, 2, 0.1) },
  'n.weight': { shape: [C], data: randomFloats(C, 3, 1) },
  'n.bias': { shape: [C], data: randomFloats(C, 4, 0.2) },
  'd.weight': { shape: [C, C, 3, 3], data: randomFloats(C * C * 9, 5, 0.5) },
  'd.bias': { shape: [C], data: randomFloats(C, 6, 0.1) },
  'l.weight': { shape: [5, C], data: randomFloats(5 * C, 7, 0.5) },
  'l.bias': { shape: [5], data: randomFloats(5, 8, 0.1) },
};
const gn = { groups: 2, eps: 1e-6 };

function tinyGraph(sd = memoryStateDict(weights)): Graph {
  const b = new GraphBuilder('tiny', sd);
  const x = b.input('image', [1, C_IN, H, H]);
  let h = conv2d(b, x, 'a', { outChannels: C, kernel: 3 });
  h = silu(b, groupNorm(b, h, 'n', gn));
  h = conv2d(b, h, 'd', { outChannels: C, kernel: 3, stride: 2, pads: [0, 0, 1, 1] });
  b.output(linear(b, nchwToTokens(b, h), 'l', 5), 'tokens', [1, (H / 2) * (H / 2), 5]);
  return b.finish();
}

// ——— direct JS reference, float64 ———
function convRef(
  x: Float32Array | Float64Array,
  cin: number,
  h: number,
  w: Float32Array,
  bias: Float32Array,
  cout: number,
  stride: number,
  pads: number[],
) {
  const oh = Math.floor((h + pads[0] + pads[2] - 3) / stride) + 1;
  const out = new Float64Array(cout * oh * oh);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < oh; j++) {
        let s = bias[o];
        for (let c = 0; c < cin; c++)
          for (let ki = 0; ki < 3; ki++)
            for (let kj = 0; kj < 3; kj++) {
              const yi = i * stride + ki - pads[0];
              const xj = j * stride + kj - pads[1];
              if (yi < 0 || xj < 0 || yi >= h || xj >= h) continue;
              s += w[((o * cin + c) * 3 + ki) * 3 + kj] * x[(c * h + yi) * h + xj];
            }
        out[(o * oh + i) * oh + j] = s;
      }
  return { out, oh };
}

function reference(x: Float32Array): Float64Array {
  const a = convRef(x, C_IN, H, weights['a.weight'].data, weights['a.bias'].data, C, 1, [1, 1, 1, 1]).out;
  const per = (C / gn.groups) * H * H;
  for (let g = 0; g < gn.groups; g++) {
    let mean = 0;
    for (let i = 0; i < per; i++) mean += a[g * per + i];
    mean /= per;
    let v = 0;
    for (let i = 0; i < per; i++) v += (a[g * per + i] - mean) ** 2;
    v /= per;
    for (let i = 0; i < per; i++) {
      const c = g * (C / gn.groups) + Math.floor(i / (H * H));
      const y =
        ((a[g * per + i] - mean) / Math.sqrt(v + gn.eps)) * weights['n.weight'].data[c] + weights['n.bias'].data[c];
      a[g * per + i] = y / (1 + Math.exp(-y));
    }
  }
  const { out: d, oh } = convRef(a, C, H, weights['d.weight'].data, weights['d.bias'].data, C, 2, [0, 0, 1, 1]);
  const tokens = oh * oh;
  const out = new Float64Array(tokens * 5);
  for (let t = 0; t < tokens; t++)
    for (let o = 0; o < 5; o++) {
      let s = weights['l.bias'].data[o];
      for (let c = 0; c < C; c++) s += weights['l.weight'].data[o * C + c] * d[c * tokens + t];
      out[t * 5 + o] = s;
    }
  return out;
}

async function writeTo(name: string, graph: Graph, options: Partial<WriteOnnxOptions> = {}) {
  const path = join(dir, name);
  const result = await writeOnnxModel(graph, await nodeFileSink(path), {
    fileName: name,
    openDataSink: (fileName) => nodeFileSink(join(dir, fileName)),
    ...options,
  });
  return { path, result };
}

const input = randomFloats(C_IN * H * H, 99, 1);

describe('writeOnnxModel', () => {
  it('writes a model onnxruntime-node runs, matching a direct JS computation', async () => {
    const { path, result } = await writeTo('tiny.onnx', tinyGraph());
    const out = await runModel(path, { image: { data: input, shape: [1, C_IN, H, H] } });
    const err = maxAbsDiff(out.tokens.data, reference(input));
    console.log(`tiny fp32 max abs error vs JS reference: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-5);
    expect(out.tokens.shape).toEqual([1, 9, 5]);
    expect(result.externalData).toBe(false);
    expect(result.inputs).toEqual([{ name: 'image', dtype: 'float32', shape: [1, 3, 6, 6] }]);
    expect(result.outputs).toEqual([{ name: 'tokens', dtype: 'float32', shape: [1, 9, 5] }]);
    const bytes = readFileSync(path);
    expect(result.files).toEqual([
      { name: 'tiny.onnx', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    ]);
  });

  it('streams a ModelProto that onnx-proto decodes, with canonical lengths', async () => {
    const sink = memorySink();
    await writeOnnxModel(tinyGraph(), sink, { fileName: 'm.onnx' });
    const streamed = sink.bytes();
    const decoded = onnx.ModelProto.decode(streamed);
    const { inits } = decodeGraph(streamed);
    const lw = inits.find((t) => t.name === 'l.weight.T')!;
    expect(lw.dims.map(Number)).toEqual([C, 5]);
    const raw = new Float32Array(lw.rawData.slice().buffer);
    expect(raw[1 * 5 + 2]).toBe(weights['l.weight'].data[2 * C + 1]); // transposed at write time
    // Re-encoding the decoded message is canonical protobuf: same size as what we streamed.
    expect(onnx.ModelProto.encode(decoded).finish().length).toBe(streamed.length);
    expect(sink.closed).toBe(true);
  });

  it('fp16: stores matrices as FLOAT16 plus Cast, stays close, and is smaller', async () => {
    const fp32 = await writeTo('tiny32.onnx', tinyGraph());
    const fp16 = await writeTo('tiny16.onnx', tinyGraph(), { precision: 'fp16' });
    const out = await runModel(fp16.path, { image: { data: input, shape: [1, C_IN, H, H] } });
    const err = maxAbsDiff(out.tokens.data, reference(input));
    console.log(`tiny fp16 max abs error vs JS reference: ${err.toExponential(2)}`);
    expect(err).toBeLessThan(5e-3);
    expect(err).toBeGreaterThan(0);
    expect(fp16.result.weightBytes).toBeLessThan(fp32.result.weightBytes);
    const { graph, inits } = decodeGraph(readFileSync(fp16.path));
    const a = inits.find((t) => t.name === 'a.weight::fp16')!;
    expect(a.dataType).toBe(onnx.TensorProto.DataType.FLOAT16);
    // 1-D biases and norm parameters stay fp32.
    expect(inits.find((t) => t.name === 'a.bias')!.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(graph.node.filter((n) => n.opType === 'Cast').length).toBe(3);
  });

  it('external data: weights go to <name>.data with offsets, and the model still runs', async () => {
    const { path, result } = await writeTo('tinyext.onnx', tinyGraph(), { externalData: true });
    expect(result.externalData).toBe(true);
    expect(result.files.map((f) => f.name)).toEqual(['tinyext.onnx', 'tinyext.onnx.data']);
    const dataBytes = readFileSync(join(dir, 'tinyext.onnx.data'));
    expect(result.files[1].bytes).toBe(dataBytes.length);
    expect(result.files[1].sha256).toBe(createHash('sha256').update(dataBytes).digest('hex'));
    expect(dataBytes.length).toBe(result.weightBytes);
    const { inits } = decodeGraph(readFileSync(path));
    // No weight bytes stay inline: only the small constants carry raw_data.
    for (const t of inits)
      if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) expect(t.rawData.length).toBe(0);
    expect(inits.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL).length).toBe(8);
    const init = inits.find((t) => t.name === 'd.weight')!;
    expect(init.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(
      Object.fromEntries((init.externalData as P.StringStringEntryProto[]).map((e) => [e.key, e.value])),
    ).toMatchObject({ location: 'tinyext.onnx.data', length: String(C * C * 9 * 4) });
    const out = await runModel(path, { image: { data: input, shape: [1, C_IN, H, H] } });
    expect(maxAbsDiff(out.tokens.data, reference(input))).toBeLessThan(1e-5);
  });

  it("external data 'auto' follows the threshold, and fp16 + external data combine", async () => {
    const small = await writeTo('auto-small.onnx', tinyGraph(), { externalData: 'auto' });
    expect(small.result.externalData).toBe(false);
    const forced = await writeTo('auto-low.onnx', tinyGraph(), {
      externalData: 'auto',
      autoExternalThresholdBytes: 100,
      precision: 'fp16',
    });
    expect(forced.result.externalData).toBe(true);
    const out = await runModel(forced.path, { image: { data: input, shape: [1, C_IN, H, H] } });
    expect(maxAbsDiff(out.tokens.data, reference(input))).toBeLessThan(5e-3);
  });

  it('errors name the key and both shapes when a weight has the wrong shape', () => {
    const bad = memoryStateDict({ ...weights, 'd.weight': { shape: [C, C, 1, 3], data: new Float32Array(C * C * 3) } });
    expect(() => tinyGraph(bad)).toThrow('checkpoint key "d.weight": expected shape [4,4,3,3], found [4,4,1,3]');
    const missing = memoryStateDict({ ...weights });
    (missing as Map<string, unknown>).delete('n.bias');
    expect(() => tinyGraph(missing)).toThrow(/checkpoint key "n.bias" is missing/);
  });

  it('errors name the weight when a lazy load returns the wrong number of values', async () => {
    const sd = memoryStateDict(weights);
    const lying = new Map(sd);
    lying.set('l.bias', { ...sd.get('l.bias')!, readFloat32: async () => new Float32Array(3) });
    const sink = memorySink();
    await expect(writeOnnxModel(tinyGraph(lying), sink, { fileName: 'x.onnx' })).rejects.toThrow(
      /weight l\.bias \(from l\.bias\): loaded 3 values, expected 5/,
    );
    expect(sink.closed).toBe(true);
  });

  it('refuses external data without a way to open the data file, before writing anything', async () => {
    const sink = memorySink();
    await expect(writeOnnxModel(tinyGraph(), sink, { fileName: 'y.onnx', externalData: true })).rejects.toThrow(
      /y\.onnx: external data needs options\.openDataSink to open y\.onnx\.data/,
    );
    expect(sink.bytes().length).toBe(0);
    expect(sink.closed).toBe(true);
  });
});

describe('writeOnnxModel with readAhead', () => {
  // Three 100×100 Linear layers: weights of 40 KB, large enough to reach the sink as writes of their own.
  const WIDE = 100;
  const wide = Object.fromEntries(
    [0, 1, 2].flatMap((k) => [
      [`l${k}.weight`, { shape: [WIDE, WIDE], data: randomFloats(WIDE * WIDE, 10 + k, 0.1) }],
      [`l${k}.bias`, { shape: [WIDE], data: randomFloats(WIDE, 20 + k, 0.1) }],
    ]),
  );
  const WEIGHT_BYTES = WIDE * WIDE * 4;

  /** The wide graph over a state dict whose reads are logged as they start and end, one key failing if asked. */
  function loggedGraph(log: string[], failing?: string): Graph {
    const sd = memoryStateDict(wide);
    const logged = new Map(
      [...sd].map(([key, entry]) => [
        key,
        {
          ...entry,
          readFloat32: async () => {
            log.push(`start ${key}`);
            await new Promise((resolve) => setTimeout(resolve, 1));
            if (key === failing) throw new Error(`read of ${key} failed`);
            const values = await entry.readFloat32();
            log.push(`end ${key}`);
            return values;
          },
        },
      ]),
    );
    const b = new GraphBuilder('wide', logged);
    let h = b.input('x', [1, WIDE]);
    for (const k of [0, 1, 2]) h = linear(b, h, `l${k}`, WIDE);
    b.output(h, 'y', [1, WIDE]);
    return b.finish();
  }

  /** A sink that logs each write and takes a few milliseconds over it, or fails every write. */
  function slowSink(log: string[], fail = false) {
    const bytes = memorySink();
    return {
      bytes,
      write: async (chunk: Uint8Array) => {
        log.push(`write ${chunk.byteLength}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (fail) throw new Error('disk full');
        await bytes.write(chunk);
      },
      close: () => bytes.close(),
    };
  }

  it('writes the same bytes, inline and external, reading the weights in the same order', async () => {
    for (const externalData of [false, true]) {
      const files = async (readAhead: boolean, log: string[]) => {
        const model = memorySink();
        const data = memorySink();
        await writeOnnxModel(loggedGraph(log), model, {
          fileName: 'r.onnx',
          externalData,
          openDataSink: async () => data,
          readAhead,
        });
        return [model.bytes(), data.bytes()];
      };
      const plainLog: string[] = [];
      const aheadLog: string[] = [];
      expect(await files(true, aheadLog)).toEqual(await files(false, plainLog));
      expect(aheadLog).toEqual(plainLog);
      expect(aheadLog.length).toBe(12);
    }
  });

  it('reads the next weight while the one before it is written, never two ahead', async () => {
    for (const externalData of [false, true]) {
      const log: string[] = [];
      await writeOnnxModel(loggedGraph(log), slowSink(log), {
        fileName: 'o.onnx',
        externalData,
        openDataSink: async () => slowSink(log),
        readAhead: true,
      });
      // l0.bias is being read before l0.weight goes to the sink.
      expect(log.indexOf('start l0.bias')).toBeLessThan(log.indexOf(`write ${WEIGHT_BYTES}`));
      expect(log.indexOf('end l0.weight')).toBeLessThan(log.indexOf('start l0.bias'));
      // Never more than one read started and not yet ended.
      let open = 0;
      for (const line of log) {
        open += line.startsWith('start') ? 1 : line.startsWith('end') ? -1 : 0;
        expect(open).toBeLessThanOrEqual(1);
      }
    }
  });

  it('a failed write or load is the error, and no read is left running', async () => {
    const log: string[] = [];
    await expect(
      writeOnnxModel(loggedGraph(log), memorySink(), {
        fileName: 'f.onnx',
        externalData: true,
        openDataSink: async () => slowSink(log, true),
        readAhead: true,
      }),
    ).rejects.toThrow('disk full');
    expect(log).toEqual(['start l0.weight', 'end l0.weight', 'start l0.bias', `write ${WEIGHT_BYTES}`, 'end l0.bias']);

    const loadLog: string[] = [];
    const sink = memorySink();
    await expect(
      writeOnnxModel(loggedGraph(loadLog, 'l1.weight'), sink, { fileName: 'g.onnx', readAhead: true }),
    ).rejects.toThrow('read of l1.weight failed');
    expect(loadLog.at(-1)).toBe('start l1.weight');
    expect(sink.closed).toBe(true);
  });
});
