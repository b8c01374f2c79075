/**
 * npm run tokenize -- --model <package dir> --image <file> [--dump <dir> [--force]] [--out recon.png]
 *
 * Runs one image through a model package with onnxruntime-node and, with --dump, writes every
 * intermediate tensor in the fixtures' layout plus recon.png, so a run can be diffed against the
 * official code's outputs. The image is read as the official code reads it (src/node/image-io.ts:
 * stored pixels, EXIF orientation reported but not applied, Pillow's pixel limit).
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareCpuQuantizer, reconstructImage } from '../core/pipeline/tokenflow-pipeline.ts';
import { createRgbImage } from '../core/image/rgb-image.ts';
import { encodePng, orientationNote, readImageFile } from './image-io.ts';
import { loadModelFromDir } from './package-dir-reader.ts';
import { displayPath, resolveArgvPath } from './path-bytes.ts';
import { pipelineDumpTensors } from './pipeline-dump.ts';
import { writeTensorDump } from './tensor-dump.ts';
import { HELP_OPTION, runCommand, stringOptions } from './command.ts';

const USAGE =
  'usage: npm run tokenize -- --model <package dir> --image <png|jpeg|webp> [--dump <dir> [--force]] [--out <recon.png>]\n' +
  '  --dump <dir>  write every intermediate tensor and recon.png; the folder must be new or empty (--force: write into it anyway)';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...stringOptions(['model', 'image', 'dump', 'out']),
      force: { type: 'boolean' },
      ...HELP_OPTION,
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.model || !values.image) throw new Error(`--model and --image are required\n${USAGE}`);
  if (values.force && !values.dump) throw new Error(`--force only applies with --dump\n${USAGE}`);
  if (values.dump && !values.force) await refuseNonEmptyFolder(values.dump);

  const imagePath = await resolveArgvPath(values.image);
  const imageName = displayPath(imagePath);
  // The image first: a refused file should not wait for the model to load.
  const read = await readImageFile(imagePath);
  const source = read.image;
  for (const w of read.warnings) console.warn(`${imageName}: ${w}`);
  const turned = orientationNote(read.header);
  if (turned) console.warn(`${imageName}: ${turned}`);
  const model = await loadModelFromDir(values.model);
  try {
    await prepareCpuQuantizer(model);
    const result = await reconstructImage(model, source);
    const m = model.manifest;
    const png = encodePng(createRgbImage(m.outputSize, m.outputSize, result.imageU8));
    const q = result.quantization;
    console.log(
      `${m.name}: ${imageName} ${source.width}x${source.height} → ${m.inputSize}px, ` +
        `${q.indices.length} tokens over ${m.scales.length} scales`,
    );
    const t = result.timings;
    console.log(
      `times (ms): preprocess ${t.preprocessMs.toFixed(0)}, semantic encoder ${t.semanticEncoderMs.toFixed(0)}, ` +
        `pixel encoder ${t.pixelEncoderMs.toFixed(0)}, quantizer ${t.quantizerMs.toFixed(0)}, ` +
        `decoder ${t.decoderMs.toFixed(0)} [${model.runner.backend}]`,
    );
    if (q.scaleMs)
      console.log(
        `quantizer per scale (ms): ${q.scaleMs.map((ms, i) => `${m.scales[i]}×${m.scales[i]} ${ms.toFixed(0)}`).join(', ')}`,
      );
    if (values.dump) {
      await writeTensorDump(values.dump, pipelineDumpTensors(model, result), {
        generator: 'tokenflow-playground tokenize (onnxruntime-node)',
        model: m.name,
        source_image: imageName,
        ...(read.header.orientation
          ? { exif_orientation: read.header.orientation.value, exif_orientation_applied: false }
          : {}),
        config: {
          variant: m.variant,
          R: m.inputSize,
          S: m.gridSize,
          scales: m.scales,
          num_tokens: m.numTokens,
          K: m.codebookSize,
        },
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

/** --dump writes fixed names (manifest.json, input_u8.u8.bin, …): never over a user's files. */
async function refuseNonEmptyFolder(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    if (e.code === 'ENOTDIR') throw new Error(`--dump ${dir} is a file, not a folder`);
    throw new Error(`--dump ${dir}: ${e.message}`);
  });
  if (entries.length > 0) {
    throw new Error(
      `--dump ${dir} is not empty (${entries.length} entries, e.g. ${entries.slice(0, 3).join(', ')}); ` +
        'its files would be overwritten: choose a new folder, or add --force',
    );
  }
}

runCommand('tokenize', main);
