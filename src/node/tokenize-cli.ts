/**
 * npm run tokenize -- --model <package dir> --image <file> [--dump <dir>] [--out recon.png]
 *
 * Runs one image through a model package with onnxruntime-node and, with --dump, writes every
 * intermediate tensor in the fixtures' layout plus recon.png, so a run can be diffed against the
 * official code's outputs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareCpuQuantizer, reconstructImage } from '../core/pipeline/tokenflow-pipeline.ts';
import { createRgbImage } from '../core/image/rgb-image.ts';
import { decodeImageFile, encodePng } from './image-io.ts';
import { loadModelFromDir } from './package-dir-reader.ts';
import { pipelineDumpTensors } from './pipeline-dump.ts';
import { writeTensorDump } from './tensor-dump.ts';

const USAGE = 'usage: npm run tokenize -- --model <package dir> --image <png|jpeg> [--dump <dir>] [--out <recon.png>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      image: { type: 'string' },
      dump: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.model || !values.image) throw new Error(`--model and --image are required\n${USAGE}`);

  const model = await loadModelFromDir(values.model);
  try {
    await prepareCpuQuantizer(model);
    const source = await decodeImageFile(values.image);
    const result = await reconstructImage(model, source);
    const m = model.manifest;
    const png = encodePng(createRgbImage(m.outputSize, m.outputSize, result.imageU8));
    const q = result.quantization;
    console.log(`${m.name}: ${values.image} ${source.width}x${source.height} → ${m.inputSize}px, ${q.indices.length} tokens over ${m.scales.length} scales`);
    const t = result.timings;
    console.log(
      `times (ms): preprocess ${t.preprocessMs.toFixed(0)}, semantic encoder ${t.semanticEncoderMs.toFixed(0)}, ` +
        `pixel encoder ${t.pixelEncoderMs.toFixed(0)}, quantizer ${t.quantizerMs.toFixed(0)}, decoder ${t.decoderMs.toFixed(0)} [${model.runner.backend}]`,
    );
    if (q.scaleMs) console.log(`quantizer per scale (ms): ${q.scaleMs.map((ms, i) => `${m.scales[i]}×${m.scales[i]} ${ms.toFixed(0)}`).join(', ')}`);
    if (values.dump) {
      await writeTensorDump(values.dump, pipelineDumpTensors(model, result), {
        generator: 'tokenflow-playground tokenize (onnxruntime-node)',
        model: m.name,
        source_image: values.image,
        config: { variant: m.variant, R: m.inputSize, S: m.gridSize, scales: m.scales, num_tokens: m.numTokens, K: m.codebookSize },
      });
      await writeFile(join(values.dump, 'recon.png'), png);
      console.log(`wrote tensors and recon.png to ${values.dump}`);
    }
    if (values.out) {
      await writeFile(values.out, png);
      console.log(`wrote ${values.out}`);
    }
  } finally {
    await model.runner.release();
  }
}

main().catch((e: unknown) => {
  console.error(`tokenize: ${(e as Error).message}`);
  process.exit(1);
});
