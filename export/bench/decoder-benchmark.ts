/**
 * Times the pixel decoder of a checkpoint in onnxruntime-node for several GroupNorm
 * formulations and thread counts, runs interleaved (A, B, A, B, …) so that load from other
 * processes hits every variant alike; with --profile, where the time goes per op type
 * (onnxruntime's profiler). Prints figures; not a test.
 *
 *   npm run bench:decoder -- <checkpoint> --out <dir> [--runs 3] [--threads 2] \
 *       [--group-norm reduce-mean,instance-norm] [--profile]
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { nodeFileSink } from '../../src/node/file-byte-sink.ts';
import { nodeFileSource } from '../../src/node/file-byte-source.ts';
import { randomArray } from '../../src/test-support/random.ts';
import { loadCheckpoint } from '../checkpoint/load-checkpoint.ts';
import { detectConfig } from '../detect-config.ts';
import { buildPixelDecoder, writeOnnxModel, type GroupNormImpl } from '../onnx/index.ts';

const USAGE =
  'usage: npm run bench:decoder -- <checkpoint> --out <dir> [--runs N] [--threads 2,1] ' +
  '[--group-norm reduce-mean,instance-norm] [--profile]';
const IMPLS: readonly GroupNormImpl[] = ['reduce-mean', 'instance-norm'];

interface Variant {
  readonly label: string;
  readonly profilePrefix: string;
  readonly session: ort.InferenceSession;
  readonly ms: number[];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      runs: { type: 'string', default: '3' },
      threads: { type: 'string', default: '2' },
      'group-norm': { type: 'string', default: IMPLS.join(',') },
      profile: { type: 'boolean', default: false },
    },
  });
  const checkpoint = positionals[0];
  if (!checkpoint || !values.out) throw new Error(USAGE);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const threads = values.threads.split(',').map(Number);
  if (threads.some((t) => !Number.isInteger(t) || t < 1))
    throw new Error(`--threads must list positive integers, got ${values.threads}`);
  const impls = values['group-norm'].split(',') as GroupNormImpl[];
  for (const impl of impls)
    if (!IMPLS.includes(impl)) throw new Error(`--group-norm: unknown formulation ${impl}; known: ${IMPLS.join(', ')}`);

  const source = await nodeFileSource(checkpoint);
  const variants: Variant[] = [];
  let inputShape: number[] = [];
  try {
    const { stateDict } = await loadCheckpoint(source);
    const config = detectConfig(stateDict, { sourceName: source.name });
    for (const impl of impls) {
      const fileName = `pixel_decoder.${impl}.onnx`;
      const graph = buildPixelDecoder(config, stateDict, { groupNormImpl: impl });
      inputShape = [...graph.inputs[0].shape];
      await writeOnnxModel(graph, await nodeFileSink(join(values.out, fileName)), { fileName, externalData: 'auto' });
      for (const t of threads) {
        const profilePrefix = `profile.${impl}.${t}`;
        const session = await ort.InferenceSession.create(join(values.out, fileName), {
          graphOptimizationLevel: 'all',
          intraOpNumThreads: t,
          ...(values.profile ? { enableProfiling: true, profileFilePrefix: join(values.out, profilePrefix) } : {}),
        });
        variants.push({ label: `GroupNorm ${impl}, ${t} thread${t > 1 ? 's' : ''}`, profilePrefix, session, ms: [] });
      }
    }
  } finally {
    await source.close();
  }

  const x = randomArray(
    inputShape.reduce((a, b) => a * b, 1),
    5,
  );
  console.log(`pixel decoder ${inputShape.join('×')} → ${runs} interleaved runs per variant after one warm-up`);
  for (let r = -1; r < runs; r++) {
    for (const v of variants) {
      const t0 = performance.now();
      const out = await v.session.run({ [v.session.inputNames[0]]: new ort.Tensor('float32', x, inputShape) });
      if (r >= 0) v.ms.push(performance.now() - t0);
      for (const t of Object.values(out)) t.dispose();
    }
  }
  for (const v of variants) {
    const sorted = [...v.ms].sort((a, b) => a - b);
    console.log(
      `${v.label}: min ${(sorted[0] / 1000).toFixed(2)} s, median ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(2)} s`,
    );
    if (values.profile) {
      v.session.endProfiling();
      // onnxruntime names the file <prefix>_<timestamp>.json.
      for (const name of await readdir(values.out)) {
        if (!name.startsWith(`${v.profilePrefix}_`) || !name.endsWith('.json')) continue;
        console.log(await opTypeShares(join(values.out, name), runs + 1));
        await rm(join(values.out, name));
      }
    }
    await v.session.release();
  }
}

/** Kernel time per op type from an onnxruntime profile, per run, largest first. */
async function opTypeShares(file: string, runs: number): Promise<string> {
  const events = JSON.parse(await readFile(file, 'utf8')) as {
    cat?: string;
    name?: string;
    dur?: number;
    args?: { op_name?: string };
  }[];
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + (e.dur ?? 0));
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp.entries()]
    .sort((a, b) => b[1] - a[1])
    .filter(([, us]) => us / total >= 0.001)
    .map(
      ([op, us]) =>
        `  ${op.padEnd(22)} ${(us / runs / 1000).toFixed(0).padStart(6)} ms/run  ${((100 * us) / total).toFixed(1)}%`,
    )
    .join('\n');
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
