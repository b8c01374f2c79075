/**
 * One Node run of a released-size package, in its own process so its peak RSS is its own:
 * load (onnxruntime-node), encode → tokens, decode → reconstruction and PSNR. Prints one JSON
 * line for released-bench.ts.
 *   node --import tsx e2e/bench/released-node-run.ts <package dir> <image>
 */
import { toImageU8 } from '../../src/core/image/postprocess.ts';
import { psnrU8 } from '../../src/core/metrics/index.ts';
import { decodeFHat, encodeImage } from '../../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../../src/node/image-io.ts';
import { loadModelFromDir } from '../../src/node/package-dir-reader.ts';

const [dir, imagePath] = process.argv.slice(2);
if (!dir || !imagePath) throw new Error('usage: released-node-run.ts <package dir> <image>');
const t0 = performance.now();
const image = await decodeImageFile(imagePath);
const model = await loadModelFromDir(dir, { intraOpNumThreads: 2 });
const loadMs = performance.now() - t0;
const encoded = await encodeImage(model, image);
const tokensMs = performance.now() - t0;
const out = await decodeFHat(model, encoded.quantization.fHat);
const size = model.manifest.outputSize;
const psnr = psnrU8(encoded.crop.image.data, toImageU8(out, size));
const reconMs = performance.now() - t0;
await model.runner.release();
console.log(JSON.stringify({ loadMs, tokensMs, reconMs, psnr, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
