/**
 * npm run train:eval [-- --package public/models/default --samples docs/embedded-model-samples.png]
 *
 * Evaluates a model package through the project's real Node pipeline (official centre crop,
 * ONNX encoders, CPU reference quantizer, decoder) on held-out photos never used in training:
 * the scikit-image and scikit-learn sample photos shipped by Debian (python3-skimage,
 * python3-sklearn; image files only), or, when those packages cannot be fetched, the project
 * fixtures' astronaut and coffee (the same scikit-image photos). Reports PSNR/SSIM, codebook
 * usage and how often the joint code equals the semantic-only / pixel-only nearest code, and
 * writes a side-by-side PNG (crop | reconstruction).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { toModelInput } from '../src/core/image/model-input.ts';
import { toImageU8 } from '../src/core/image/postprocess.ts';
import { createRgbImage, type RgbImage } from '../src/core/image/rgb-image.ts';
import { areaMatrix, bicubicMatrix, resizePlanes } from '../src/core/resample.ts';
import { CodebookTally } from '../src/core/metrics/codebook-usage.ts';
import { psnrU8 } from '../src/core/metrics/psnr.ts';
import { ssimU8 } from '../src/core/metrics/ssim.ts';
import { reconstructImage } from '../src/core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile, encodePng } from '../src/node/image-io.ts';
import { loadModelFromDir } from '../src/node/package-dir-reader.ts';
import { CACHE_DIR, SOURCES } from './data-sources.ts';
import { ensureUnpacked, listImages } from './prepare-data.ts';

const FIXTURE_PHOTOS = ['astronaut', 'coffee'].map((n) =>
  join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'clip-256-enhanced', n, 'source.png'),
);

export interface ImageScore {
  readonly name: string;
  readonly psnr: number;
  readonly ssim: number;
  readonly jointEqualsSemantic: number;
  readonly jointEqualsPixel: number;
  /** A grey photograph (all three channels equal), reported apart as well as in the mean. */
  readonly grey: boolean;
  /** For scale: PSNR of the crop shrunk to a grid-sized thumbnail (area) and enlarged back (bicubic). */
  readonly thumbnailPsnr: number;
}

export interface EvalReport {
  readonly images: ImageScore[];
  readonly meanPsnr: number;
  readonly meanSsim: number;
  readonly meanPsnrColour: number;
  readonly meanPsnrGrey: number;
  readonly meanThumbnailPsnr: number;
  readonly codesUsed: number;
  readonly codebookSize: number;
  readonly perplexity: number;
  readonly jointEqualsSemantic: number;
  readonly jointEqualsPixel: number;
}

/** Held-out photo paths: the Debian scikit samples when obtainable, else the fixtures' copies. */
export function evaluationImages(): string[] {
  const paths: string[] = [];
  for (const src of SOURCES.filter((s) => s.use === 'evaluation')) {
    try {
      paths.push(...listImages(join(ensureUnpacked(src), src.imageDir), src.only));
    } catch (e) {
      console.warn(`${src.pkg}: not available (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (paths.length) return paths;
  return FIXTURE_PHOTOS.filter((p) => existsSync(p));
}

/**
 * The crop shrunk to `thumb`×`thumb` (area) and enlarged back (bicubic), through the pipeline's own
 * conversions: model input in [-1,1] planes, the one resampling implementation, the decoder's uint8 rule.
 */
function thumbnailRoundTrip(crop: RgbImage, thumb: number): Uint8Array {
  const side = crop.width;
  const planes = toModelInput(crop).data;
  return toImageU8(resizePlanes(resizePlanes(planes, 3, areaMatrix(side, thumb)), 3, bicubicMatrix(thumb, side)), side);
}

function isGrey(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

function agreement(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Rows of [crop | reconstruction] pairs, `pairsPerRow` pairs per row. */
function sideBySide(pairs: readonly [RgbImage, RgbImage][], side: number, pairsPerRow: number): RgbImage {
  const rows = Math.ceil(pairs.length / pairsPerRow);
  const gap = 4;
  const W = pairsPerRow * (2 * side + gap) - gap;
  const H = rows * (side + gap) - gap;
  const out = createRgbImage(W, H, new Uint8Array(W * H * 3).fill(255));
  pairs.forEach(([a, b], i) => {
    const x0 = (i % pairsPerRow) * (2 * side + gap);
    const y0 = Math.floor(i / pairsPerRow) * (side + gap);
    for (const [img, dx] of [
      [a, 0],
      [b, side],
    ] as const) {
      for (let y = 0; y < side; y++)
        out.data.set(img.data.subarray(y * side * 3, (y + 1) * side * 3), ((y0 + y) * W + x0 + dx) * 3);
    }
  });
  return out;
}

export async function evaluatePackage(
  dir: string,
  images: readonly string[],
  samplesPng?: string,
): Promise<EvalReport> {
  const model = await loadModelFromDir(dir);
  const m = model.manifest;
  const tally = new CodebookTally(m.codebookSize);
  const scores: ImageScore[] = [];
  const pairs: [RgbImage, RgbImage][] = [];
  let semSame = 0;
  let pixSame = 0;
  for (const path of images) {
    const r = await reconstructImage(model, await decodeImageFile(path));
    const q = r.quantization;
    tally.add(q.indices);
    const s: ImageScore = {
      name: basename(path).replace(/\.\w+$/, ''),
      psnr: psnrU8(r.inputU8, r.imageU8),
      ssim: ssimU8(r.inputU8, r.imageU8, m.outputSize, m.outputSize),
      jointEqualsSemantic: agreement(q.indices, q.indicesSemanticOnly),
      jointEqualsPixel: agreement(q.indices, q.indicesPixelOnly),
      grey: isGrey(r.inputU8),
      thumbnailPsnr: psnrU8(
        r.inputU8,
        thumbnailRoundTrip(createRgbImage(m.inputSize, m.inputSize, r.inputU8), m.gridSize),
      ),
    };
    semSame += s.jointEqualsSemantic * q.indices.length;
    pixSame += s.jointEqualsPixel * q.indices.length;
    scores.push(s);
    pairs.push([
      createRgbImage(m.inputSize, m.inputSize, r.inputU8),
      createRgbImage(m.outputSize, m.outputSize, r.imageU8),
    ]);
  }
  if (samplesPng && pairs.length) writeFileSync(samplesPng, encodePng(sideBySide(pairs, m.inputSize, 4)));
  const mean = (f: (s: ImageScore) => number, of = scores) => of.reduce((a, s) => a + f(s), 0) / of.length;
  return {
    images: scores,
    meanPsnr: mean((s) => s.psnr),
    meanSsim: mean((s) => s.ssim),
    meanPsnrColour: mean(
      (s) => s.psnr,
      scores.filter((s) => !s.grey),
    ),
    meanPsnrGrey: mean(
      (s) => s.psnr,
      scores.filter((s) => s.grey),
    ),
    meanThumbnailPsnr: mean((s) => s.thumbnailPsnr),
    codesUsed: tally.distinct,
    codebookSize: m.codebookSize,
    perplexity: tally.perplexity,
    jointEqualsSemantic: semSame / tally.tokens,
    jointEqualsPixel: pixSame / tally.tokens,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      package: { type: 'string', default: join(import.meta.dirname, '..', 'public', 'models', 'default') },
      samples: { type: 'string', default: join(import.meta.dirname, '..', 'docs', 'embedded-model-samples.png') },
    },
  });
  const images = evaluationImages();
  if (!images.length)
    throw new Error('no held-out evaluation photos found (python3-skimage / python3-sklearn or the fixtures)');
  const report = await evaluatePackage(values.package!, images, values.samples);
  for (const s of report.images) {
    console.log(
      `${s.name.padEnd(18)}${s.grey ? ' (grey)' : '       '} PSNR ${s.psnr.toFixed(2)} dB (thumbnail ${s.thumbnailPsnr.toFixed(2)})  ` +
        `SSIM ${s.ssim.toFixed(3)}  joint=semantic-only ${(100 * s.jointEqualsSemantic).toFixed(1)}%  ` +
        `joint=pixel-only ${(100 * s.jointEqualsPixel).toFixed(1)}%`,
    );
  }
  console.log(
    `mean over ${report.images.length} held-out photos: PSNR ${report.meanPsnr.toFixed(2)} dB ` +
      `(colour ${report.meanPsnrColour.toFixed(2)}, grey ${report.meanPsnrGrey.toFixed(2)}; ` +
      `grid-sized thumbnail ${report.meanThumbnailPsnr.toFixed(2)}), SSIM ${report.meanSsim.toFixed(3)}; ` +
      `codes used ${report.codesUsed}/${report.codebookSize} (${((100 * report.codesUsed) / report.codebookSize).toFixed(1)}%), ` +
      `perplexity ${report.perplexity.toFixed(0)}; ` +
      `joint=semantic-only ${(100 * report.jointEqualsSemantic).toFixed(1)}%, ` +
      `joint=pixel-only ${(100 * report.jointEqualsPixel).toFixed(1)}%`,
  );
  writeFileSync(join(CACHE_DIR, 'eval.json'), JSON.stringify(report, null, 1));
  console.log(`wrote ${values.samples} and ${join(CACHE_DIR, 'eval.json')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(`train:eval: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
