/**
 * The multi-scale quantizer at released size (K = 32768) with the code search on onnxruntime-node
 * (graph-nearest-codes.ts) against the CPU reference (the oracle) on the same random features:
 * times of both, and how many tokens differ and by what margin. Prints figures; not a test.
 *   npx tsx src/node/bench-quantizer-ort.ts [runs] [threads]
 */
import { createGraphCodeSearch } from '../core/quantizer/graph-nearest-codes.ts';
import {
  quantizeMultiscale,
  quantizeMultiscaleWith,
  type MultiscaleQuantization,
} from '../core/quantizer/multiscale.ts';
import {
  RELEASED_QUANTIZER_CONFIGS,
  randomReleasedCodebooks,
  randomReleasedFeatures,
} from '../test-support/released-size-quantizer.ts';
import { openOrtNodeHelper } from './ort-node-runner.ts';

const runs = Number(process.argv[2] ?? 3);
const threads = Number(process.argv[3] ?? 2);
const codebooks = randomReleasedCodebooks();
let t = performance.now();
const search = await createGraphCodeSearch(codebooks, (model) =>
  openOrtNodeHelper(model, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' }),
);
console.log(`code search session: ${(performance.now() - t).toFixed(0)} ms to build and load (${threads} threads)`);

const fmt = (ms: number[]) =>
  `min ${Math.min(...ms).toFixed(1)} ms, median ${[...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)].toFixed(1)} ms`;

for (const { name, S, scales } of RELEASED_QUANTIZER_CONFIGS) {
  const h = randomReleasedFeatures(S);
  const tokens = scales.reduce((a, s) => a + s * s, 0);
  console.log(`${name}: S=${S}, ${scales.length} scales, ${tokens} tokens`);
  for (const topK of [0, 8]) {
    let oracle: MultiscaleQuantization | undefined;
    let graph: MultiscaleQuantization | undefined;
    const oracleMs: number[] = [];
    const graphMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      graph = await quantizeMultiscaleWith((rows, o) => search.nearest(rows, o), h, S, scales, codebooks, { topK });
      graphMs.push(performance.now() - t);
      if (r < 1) {
        t = performance.now();
        oracle = quantizeMultiscale(h, S, scales, codebooks, { topK });
        oracleMs.push(performance.now() - t);
      }
    }
    console.log(`  topK=${topK}: onnxruntime search ${fmt(graphMs)}; JS reference ${fmt(oracleMs)}`);
    console.log(`    ${compare(oracle!, graph!)}`);
  }
}
await search.release();

function compare(a: MultiscaleQuantization, b: MultiscaleQuantization): string {
  const parts: string[] = [];
  for (const [label, ia, ib, ma] of [
    ['joint', a.indices, b.indices, a.margin],
    ['semantic', a.indicesSemanticOnly, b.indicesSemanticOnly, a.marginSemantic],
    ['pixel', a.indicesPixelOnly, b.indicesPixelOnly, a.marginPixel],
  ] as const) {
    let differ = 0;
    let aboveMargin = 0;
    for (let i = 0; i < ia.length; i++) {
      if (ia[i] !== ib[i]) {
        differ++;
        if (ma[i] > 1e-5) aboveMargin++;
      }
    }
    parts.push(`${label}: ${differ} differ (${aboveMargin} with margin > 1e-5)`);
  }
  let marginDiff = 0;
  for (let i = 0; i < a.margin.length; i++) marginDiff = Math.max(marginDiff, Math.abs(a.margin[i] - b.margin[i]));
  let candDiff = 0;
  for (let i = 0; i < a.candidates.distance.length; i++)
    candDiff = Math.max(candDiff, Math.abs(a.candidates.distance[i] - b.candidates.distance[i]));
  let fHatDiff = 0;
  for (let i = 0; i < a.fHat.length; i++) fHatDiff = Math.max(fHatDiff, Math.abs(a.fHat[i] - b.fHat[i]));
  return (
    `${parts.join('; ')}; max |Δmargin| ${marginDiff.toExponential(1)}, ` +
    `|Δcandidate distance| ${candDiff.toExponential(1)}, |Δf̂| ${fHatDiff.toExponential(1)}`
  );
}
