/**
 * npm run export -- <checkpoint.pt | .safetensors> --out <dir> [--precision fp32|fp16] [--image-size N]
 *   [--scales 1,2,…] [--name "…"] [--allow-nonfinite]
 *
 * Converts a TokenFlow checkpoint into a model package for the browser and Node runtimes,
 * without Python. Prints each stage, wall time and peak memory.
 */
import { parseArgs } from 'node:util';
import { exportCheckpointToDir } from './export-to-dir.ts';
import { HELP_OPTION, runCommand, stringOptions } from './command.ts';

const USAGE =
  'usage: npm run export -- <checkpoint> --out <dir> [--precision fp32|fp16] [--image-size 224|256|384] ' +
  `[--scales 1,2,…,S] [--name "display name"] [--allow-nonfinite]

  <checkpoint>   a TokenFlow checkpoint: the released tokenflow_clipb_32k_enhanced.pt or
                 tokenflow_siglip_32k.pt, a trainer checkpoint, or a .safetensors state dict
  --out          the package folder to write: new, empty, or holding a package this exporter wrote
                 (replaced only when the export succeeds; anything else is refused)
  --precision    fp32 (default) or fp16 weights (half the download; compute stays fp32)
  --image-size   CLIP checkpoints run at 224 or 256 (default: 256 for the enhanced decoder, as the
                 official loaders do); SigLIP at 384
  --scales       for a model trained at another size (with --image-size): its scale list, ending
                 with the token grid side, e.g. --image-size 128 --scales 1,2,4,6,8,10,12,14,16
  --allow-nonfinite
                 export weights that hold NaN or ±Inf with a warning instead of failing (the
                 package will decode to black or broken images; for inspecting damage only)`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      ...stringOptions(['out', 'image-size', 'scales', 'name']),
      precision: { type: 'string', default: 'fp32' },
      'allow-nonfinite': { type: 'boolean', default: false },
      ...HELP_OPTION,
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1 || !values.out) throw new Error(`give one checkpoint and --out\n${USAGE}`);
  if (values.precision !== 'fp32' && values.precision !== 'fp16')
    throw new Error(`--precision must be fp32 or fp16, got ${values.precision}`);
  const inputSize = values['image-size'] !== undefined ? Number(values['image-size']) : undefined;
  if (inputSize !== undefined && !Number.isInteger(inputSize))
    throw new Error(`--image-size must be a whole number, got ${values['image-size']}`);
  const scales = values.scales?.split(',').map(Number);
  if (scales && inputSize === undefined)
    throw new Error('--scales needs --image-size (the size the model was trained at)');

  const started = performance.now();
  const result = await exportCheckpointToDir(positionals[0], values.out, {
    allowNonfinite: values['allow-nonfinite'],
    precision: values.precision,
    inputSize,
    scales,
    name: values.name,
    onProgress: (e) => {
      const line = `[${((performance.now() - started) / 1000).toFixed(1)}s] ${e.stage === 'warning' ? 'warning: ' : ''}${e.message}`;
      if (e.stage === 'warning') console.error(line);
      else console.log(line);
    },
  });
  {
    const m = result.manifest;
    const total = m.files.reduce((a, f) => a + f.bytes, 0);
    console.log(
      `${m.name}: ${m.variant}, ${m.inputSize}px → ${m.gridSize}×${m.gridSize}, ` +
        `${m.scales.length} scales (${m.numTokens} tokens), K=${m.codebookSize}, ` +
        `'${m.source.weightsKey}' weights, ${m.precision}; ${(total / 1e6).toFixed(1)} MB in ${values.out}`,
    );
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`wall ${((performance.now() - started) / 1000).toFixed(1)} s, peak RSS ${peak.toFixed(0)} MB`);
}

runCommand('export', main);
