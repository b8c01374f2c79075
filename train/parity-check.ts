/**
 * npm run train:parity — checks that the trainer's tfjs forward pass and the exported model
 * package (ONNX graphs run by the project's Node runtime) compute the same thing, encoder by
 * encoder, for the current training state (or a fresh initialisation). A mismatch here would
 * mean we are training a different network from the one we ship.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportCheckpointToDir } from '../src/node/export-to-dir.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { writeOfficialCheckpoint } from './export-checkpoint.ts';
import { createParams, layoutFor, type Params } from './params.ts';
import { startBackend, tf } from './tf-backend.ts';
import { TINY_CONFIG, TINY_SEMANTIC_DECODER } from './tiny-config.ts';
import { TokenFlowNet } from './tokenflow-net.ts';
import { STATE_FILE } from './run-files.ts';
import { loadState } from './train-state.ts';
import { maxAbsDiff } from '../src/test-support/compare.ts';

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** NHWC → NCHW for one image. */
function toNchw(t: tf.Tensor4D): Float32Array {
  return tf.tidy(() => t.transpose([0, 3, 1, 2])).dataSync() as Float32Array;
}

export interface ParityCheck {
  readonly name: string;
  readonly maxAbsDiff: number;
  readonly relative: number;
}

/** Exports `params` to a temporary package and compares each graph with the tfjs forward pass on random inputs. */
export async function checkParity(params: Params): Promise<ParityCheck[]> {
  const layout = layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER);
  const dir = mkdtempSync(join(tmpdir(), 'tokenflow-parity-'));
  try {
    const ckpt = join(dir, 'model.pt');
    await writeOfficialCheckpoint(ckpt, layout, params);
    await exportCheckpointToDir(ckpt, join(dir, 'pkg'), {
      precision: 'fp32',
      inputSize: TINY_CONFIG.inputSize,
      scales: TINY_CONFIG.scales,
      name: 'parity',
    });
    const model = await loadModelFromDir(join(dir, 'pkg'));
    const R = TINY_CONFIG.inputSize;
    const x = tf.randomUniform([1, R, R, 3], -1, 1) as tf.Tensor4D;
    const xNchw = toNchw(x);
    const net = new TokenFlowNet(TINY_CONFIG, params);
    const S = TINY_CONFIG.gridSize;
    const checks: [string, Float32Array, Float32Array][] = [];
    const sem = await model.runner.run('semanticEncoder', { data: xNchw, shape: [1, 3, R, R] });
    checks.push(['semantic encoder', toNchw(net.semanticEncode(x)), sem.data]);
    const pix = await model.runner.run('pixelEncoder', { data: xNchw, shape: [1, 3, R, R] });
    checks.push(['pixel encoder', toNchw(net.pixelEncode(x)), pix.data]);
    const z = tf.randomNormal([1, S, S, TINY_CONFIG.pixelCodeDim]) as tf.Tensor4D;
    const dec = await model.runner.run('pixelDecoder', { data: toNchw(z), shape: [1, TINY_CONFIG.pixelCodeDim, S, S] });
    checks.push(['pixel decoder', toNchw(net.pixelDecode(z)), dec.data]);
    return checks.map(([name, mine, theirs]) => {
      const d = maxAbsDiff(mine, theirs);
      return { name, maxAbsDiff: d, relative: d / Math.max(1e-6, maxAbs(theirs)) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Relative error allowed between the tfjs and ONNX forward passes (float32, different summation orders). */
export const PARITY_TOLERANCE = 1e-3;

async function main(): Promise<void> {
  await startBackend();
  const params = createParams(layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER));
  const info = await loadState(STATE_FILE, params, null);
  console.log(info ? `weights from ${STATE_FILE} (step ${info.step})` : 'weights: fresh initialisation');
  let ok = true;
  for (const c of await checkParity(params)) {
    const pass = c.relative < PARITY_TOLERANCE;
    ok &&= pass;
    console.log(
      `${pass ? 'ok  ' : 'FAIL'} ${c.name}: max |Δ| ${c.maxAbsDiff.toExponential(2)} (relative ${c.relative.toExponential(2)})`,
    );
  }
  if (!ok) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(`train:parity: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
