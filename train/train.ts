/**
 * npm run train [-- --minutes 125 --batch 4 --workers 2]
 *
 * Trains TokenFlow-Tiny on the cached wallpaper crops (npm run train:data), resuming from
 * train/.cache/run/state.bin when present. Prints step, losses, speed and the held-out PSNR; at
 * the end writes an official-layout checkpoint train/.cache/run/tokenflow-tiny.pt for
 * `npm run train:export`. Every step runs at the model's own geometry (128 pixels, 16×16
 * tokens, the 9 official scales). The schedule follows training time, not steps, so a run fits
 * its budget on any machine.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decoderValueToU8 } from '../src/core/image/postprocess.ts';
import { psnrU8 } from '../src/core/metrics/psnr.ts';
import { CropStore } from './batches.ts';
import { writeOfficialCheckpoint } from './export-checkpoint.ts';
import { flatLayout, writeFlat } from './flat-params.ts';
import { GradientPool, type PooledResult } from './gradient-pool.ts';
import { batchGradients, LOSS_NAMES, type Losses } from './objective.ts';
import { MobileNetTeacher } from './teacher.ts';
import { createParams, layoutFor, param, trainableList, type Params } from './params.ts';
import { readCropIndex } from './prepare-data.ts';
import { MultiScaleQuantizer } from './quantizer.ts';
import { mulberry32 } from '../src/core/seeded-random.ts';
import { CHECKPOINT_FILE, RUN_DIR, STATE_FILE } from './run-files.ts';
import { startBackend, tf } from './tf-backend.ts';
import { TINY_CONFIG, TINY_SEMANTIC_DECODER } from './tiny-config.ts';
import type { TokenFlowNet as Net } from './tokenflow-net.ts';
import { TokenFlowNet } from './tokenflow-net.ts';
import { loadState, saveState, type RunInfo } from './train-state.ts';

const LR = 8e-4;
const LR_FINAL = 8e-5;
const WARMUP = 50;
const RESTART_EVERY = 100;
/** At most this many dead codes are restarted at once: replacing most of the codebook at once churns the decoder's input. */
const RESTART_MAX = 128;
const SAVE_EVERY = 50;
const VAL_EVERY = 150;
const VAL_CROPS = 8;
/** Quantizer bypass warm-up: probability BYPASS_START at the start, falling linearly to 0 at BYPASS_END of the budget. */
const BYPASS_START = 0.75;
const BYPASS_END = 0.35;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '125' },
      batch: { type: 'string', default: '4' },
      workers: { type: 'string', default: '2' },
    },
  });
  const budgetSeconds = Number(values.minutes) * 60;
  const B = Number(values.batch);
  const workers = Number(values.workers);
  if (!(budgetSeconds > 0 && B > 0 && workers >= 0))
    throw new Error(
      `--minutes and --batch must be positive numbers and --workers 0 or more (got ${values.minutes}, ${values.batch}, ${values.workers})`,
    );
  const side = TINY_CONFIG.inputSize;

  await startBackend(1);
  mkdirSync(RUN_DIR, { recursive: true });
  const index = readCropIndex();
  const store = new CropStore(index.count);
  const trainIds = index.trainCount;
  const nVal = index.count - index.trainCount;
  const valIds = Array.from(
    { length: Math.min(VAL_CROPS, nVal) },
    (_, i) => index.trainCount + Math.floor((i * nVal) / VAL_CROPS),
  );
  console.log(
    `data: ${trainIds} training crops, ${valIds.length} held-out validation crops (${index.packages.map((p) => p.pkg).join(', ')})`,
  );

  const layout = layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER);
  const params = createParams(layout);
  const net = new TokenFlowNet(TINY_CONFIG, params);
  const quantizer = new MultiScaleQuantizer(TINY_CONFIG.gridSize, TINY_CONFIG.scales, TINY_CONFIG.semanticCodeDim);
  const optimizer = tf.train.adam(LR, 0.9, 0.99);
  const vars = trainableList(params);
  const flat = flatLayout(vars);
  console.log(
    `model: ${layout.length} official tensors, ${(flat.total / 1e6).toFixed(2)} M trainable parameters, ` +
      `K=${TINY_CONFIG.codebookSize}; ${workers ? `${workers} gradient workers` : 'in-process gradients'}`,
  );

  const info: RunInfo = (await loadState(STATE_FILE, params, optimizer)) ?? {
    step: 0,
    trainSeconds: 0,
    valHistory: [],
    restarts: 0,
  };
  if (info.step > 0)
    console.log(`resumed at step ${info.step} (${(info.trainSeconds / 60).toFixed(1)} min trained so far)`);
  // On a shared 2-core machine one in-process tfjs measured faster than worker threads (the
  // coordinator's copies and Adam compete with them); workers pay off on many idle cores.
  const pool = workers > 0 ? await GradientPool.start(flat.total, workers) : null;
  const teacher = pool ? null : await MobileNetTeacher.load();

  const K = TINY_CONFIG.codebookSize;
  let usage = new Float64Array(K);
  const semBook = param(params, 'quantize.embedding_vqkd.weight');
  const pixBook = param(params, 'quantize.embedding_vqgan.weight');
  let windowStart = performance.now();
  const avg: Losses = { total: 0, rec: 0, perceptual: 0, semantic: 0, vq: 0 };
  let avgN = 0;
  let lastVal = info.step;

  while (info.trainSeconds < budgetSeconds) {
    const stepStart = performance.now();
    const step = info.step;
    const progress = info.trainSeconds / budgetSeconds;
    const rand = mulberry32(1000003 * (step + 1));
    const views = Array.from({ length: B }, () => CropStore.randomView(Math.floor(rand() * trainIds), side, rand));
    const lr =
      step < WARMUP
        ? (LR * (step + 1)) / WARMUP
        : LR_FINAL + (LR - LR_FINAL) * 0.5 * (1 + Math.cos(Math.PI * progress));
    // tfjs' Adam reads this field on every update.
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
    const bypassProb = Math.max(0, BYPASS_START * (1 - progress / BYPASS_END));
    const bypass = rand() < bypassProb;

    let result: PooledResult;
    const gradMap: Record<string, tf.Tensor> = {};
    if (pool) {
      writeFlat(vars, flat, pool.weights);
      result = await pool.run({ views, bypass });
      vars.forEach((v, i) => {
        gradMap[v.name] = tf.tensor(pool.grad.subarray(flat.offsets[i], flat.offsets[i] + v.size), v.shape);
      });
    } else {
      const x = store.batch(views, side);
      const out = batchGradients(net, params, vars, teacher!, quantizer, x, bypass);
      x.dispose();
      vars.forEach((v, i) => {
        gradMap[v.name] = out.grads[i];
      });
      result = out;
    }
    if (!Number.isFinite(result.losses.total))
      throw new Error(`step ${step}: loss is ${result.losses.total}; stopping (last good state is ${STATE_FILE})`);
    optimizer.applyGradients(Object.entries(gradMap).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(gradMap));
    for (const idx of result.indices) for (const i of idx) usage[i]++;
    for (const k of LOSS_NAMES) avg[k] += result.losses[k];
    avgN++;

    info.step++;
    if (info.step % RESTART_EVERY === 0) {
      info.restarts += restartDeadCodes(usage, result.samples, semBook, pixBook, TINY_CONFIG.semanticCodeDim, rand);
      usage = new Float64Array(K);
    }
    // Validation and saving are bookkeeping, not training time.
    info.trainSeconds += (performance.now() - stepStart) / 1000;

    if (info.step % 10 === 0) {
      const secPerStep = (performance.now() - windowStart) / 1000 / avgN;
      const used = usage.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
      console.log(
        `step ${info.step} ×${B} lr ${lr.toExponential(1)} bypass ${bypassProb.toFixed(2)} | ` +
          `loss ${(avg.total / avgN).toFixed(4)} rec ${(avg.rec / avgN).toFixed(4)} ` +
          `perc ${(avg.perceptual / avgN).toFixed(4)} sem ${(avg.semantic / avgN).toFixed(4)} vq ${(avg.vq / avgN).toFixed(4)} | ` +
          `codes seen ${used}/${K}, restarted ${info.restarts} | ` +
          `${secPerStep.toFixed(2)} s/step, ${(info.trainSeconds / 60).toFixed(1)}/${(budgetSeconds / 60).toFixed(0)} min | ` +
          `${new Date().toISOString().slice(11, 19)}`,
      );
      for (const k of LOSS_NAMES) avg[k] = 0;
      avgN = 0;
      windowStart = performance.now();
    }
    const done = info.trainSeconds >= budgetSeconds;
    if (info.step - lastVal >= VAL_EVERY || done) {
      lastVal = info.step;
      const psnr = validate(net, quantizer, store, valIds, params);
      info.valHistory.push([info.step, psnr]);
      console.log(
        `step ${info.step}: held-out PSNR ${psnr.toFixed(2)} dB on ${valIds.length} validation crops at ${side}px (9 scales)`,
      );
      windowStart = performance.now();
    }
    if (info.step % SAVE_EVERY === 0 || done) await saveState(STATE_FILE, params, optimizer, info);
  }
  await pool?.close();
  await saveState(STATE_FILE, params, optimizer, info);
  const bytes = await writeOfficialCheckpoint(CHECKPOINT_FILE, layout, params);
  console.log(
    `finished: ${info.step} steps, ${(info.trainSeconds / 60).toFixed(1)} min of training; ` +
      `wrote ${CHECKPOINT_FILE} (${(bytes / 1e6).toFixed(1)} MB)`,
  );
}

/** Replaces codes unused since the last restart with recent encoder outputs, so the whole codebook stays in play. */
function restartDeadCodes(
  usage: Float64Array,
  samples: Float32Array,
  semBook: tf.Variable,
  pixBook: tf.Variable,
  D: number,
  rand: () => number,
): number {
  const C = D + pixBook.shape[1]!;
  const rows = Math.floor(samples.length / C);
  const dead: number[] = [];
  usage.forEach((c, i) => {
    if (c === 0) dead.push(i);
  });
  if (!dead.length || rows === 0) return 0;
  const P = C - D;
  const sem = (semBook.dataSync() as Float32Array).slice();
  const pix = (pixBook.dataSync() as Float32Array).slice();
  // A random subset of the dead codes, each moved onto a random recent input (any scale) plus a little noise.
  for (let i = dead.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [dead[i], dead[j]] = [dead[j], dead[i]];
  }
  const chosen = dead.slice(0, Math.min(RESTART_MAX, rows));
  for (const k of chosen) {
    const r = Math.floor(rand() * rows);
    for (let c = 0; c < D; c++) sem[k * D + c] = samples[r * C + c] + 0.05 * (rand() - 0.5);
    for (let c = 0; c < P; c++) pix[k * P + c] = samples[r * C + D + c] + 0.05 * (rand() - 0.5);
  }
  semBook.assign(tf.tensor(sem, semBook.shape));
  pixBook.assign(tf.tensor(pix, pixBook.shape));
  return chosen.length;
}

/**
 * PSNR (uint8, as the app reports it) of reconstructions of held-out crops (whole crop, downsampled to the
 * input size), through the full 9-scale path.
 */
function validate(net: Net, q: MultiScaleQuantizer, store: CropStore, ids: readonly number[], params: Params): number {
  let sum = 0;
  for (const id of ids) {
    sum += tf.tidy(() => {
      const x = store.batch([{ id, flip: false, window: null }], TINY_CONFIG.inputSize);
      const h = tf.concat([net.semanticEncode(x), net.pixelEncode(x)], 3) as tf.Tensor4D;
      const { fHat } = q.quantize(
        h,
        param(params, 'quantize.embedding_vqkd.weight'),
        param(params, 'quantize.embedding_vqgan.weight'),
      );
      const rec = net.pixelDecode(fHat.slice([0, 0, 0, TINY_CONFIG.semanticCodeDim], [-1, -1, -1, -1]) as tf.Tensor4D);
      return psnrU8(Uint8Array.from(x.dataSync(), decoderValueToU8), Uint8Array.from(rec.dataSync(), decoderValueToU8));
    });
  }
  return sum / ids.length;
}

main().catch((e: unknown) => {
  console.error(`train: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
