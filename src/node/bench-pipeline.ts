/**
 * Times the whole Node pipeline (the per-stage times of reconstructImage) on one image, warm:
 * one untimed run first, as the official yardstick does, then --runs timed ones. Prints each
 * run and the min and median per stage; not a test.
 *
 *   npx tsx src/node/bench-pipeline.ts --model <package dir> --image <png> [--runs 3] [--threads N]
 *       [--quantizer onnx|reference] [--json out.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  prepareCpuQuantizer,
  reconstructImage,
  referenceQuantizer,
  type StageTimings,
} from '../core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from './image-io.ts';
import { loadModelFromDir } from './package-dir-reader.ts';

const USAGE =
  'usage: npx tsx src/node/bench-pipeline.ts --model <dir> --image <png> [--runs N] [--threads N] ' +
  '[--quantizer onnx|reference] [--json file]';
const STAGES = ['preprocessMs', 'semanticEncoderMs', 'pixelEncoderMs', 'quantizerMs', 'decoderMs'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      image: { type: 'string' },
      runs: { type: 'string', default: '3' },
      threads: { type: 'string' },
      quantizer: { type: 'string', default: 'onnx' },
      json: { type: 'string' },
    },
  });
  if (!values.model || !values.image) throw new Error(USAGE);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
    throw new Error(`--threads must be a positive integer, got ${values.threads}`);
  if (values.quantizer !== 'onnx' && values.quantizer !== 'reference')
    throw new Error(`--quantizer must be onnx or reference, got ${values.quantizer}`);

  let t = performance.now();
  const model = await loadModelFromDir(values.model, threads ? { intraOpNumThreads: threads } : {});
  await prepareCpuQuantizer(model);
  console.log(
    `${model.manifest.name}: loaded in ${((performance.now() - t) / 1000).toFixed(1)} s ` +
      `[${model.runner.backend}, ${threads ?? 'default'} threads, ${values.quantizer} quantizer]`,
  );
  const quantize = values.quantizer === 'reference' ? referenceQuantizer(model) : undefined;
  try {
    const source = await decodeImageFile(values.image);
    const timed: StageTimings[] = [];
    for (let r = 0; r <= runs; r++) {
      t = performance.now();
      const result = await reconstructImage(model, source, { quantize });
      const wall = performance.now() - t;
      const s = result.timings;
      const total = STAGES.reduce((a, k) => a + s[k], 0);
      console.log(
        `${r === 0 ? 'warm-up' : `run ${r}`}: ${STAGES.map((k) => `${k.replace('Ms', '')} ${(s[k] / 1000).toFixed(2)}`).join(', ')}; ` +
          `total ${(total / 1000).toFixed(2)} s (wall ${(wall / 1000).toFixed(2)} s)`,
      );
      if (r > 0) timed.push(s);
    }
    const summary: Record<string, { min: number; median: number }> = {};
    for (const k of [...STAGES, 'total'] as const) {
      const v = timed
        .map((s) => (k === 'total' ? STAGES.reduce((a, x) => a + s[x], 0) : s[k]) / 1000)
        .sort((a, b) => a - b);
      summary[k] = { min: v[0], median: v[Math.floor(v.length / 2)] };
    }
    console.log(
      Object.entries(summary)
        .map(([k, v]) => `${k.replace('Ms', '')} min ${v.min.toFixed(2)} / median ${v.median.toFixed(2)} s`)
        .join('; '),
    );
    if (values.json) await writeFile(values.json, JSON.stringify({ runs: timed, summary }, null, 1));
  } finally {
    await model.runner.release();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
