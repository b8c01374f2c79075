/**
 * npm run train:export [-- --precision fp32|fp16] [--from-state] [--out dir] — converts the trained
 * checkpoint with the project's exporter (exactly as `npm run export` converts a released TokenFlow
 * file) into the embedded default package, public/models/default (or --out, e.g. to evaluate a run
 * in progress), keeping its hand-written MODEL_CARD.md.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exportCheckpointToDir } from '../src/node/export-to-dir.ts';
import { writeOfficialCheckpoint } from './export-checkpoint.ts';
import { createParams, layoutFor } from './params.ts';
import { CHECKPOINT_FILE, RUN_DIR, STATE_FILE } from './run-files.ts';
import { startBackend } from './tf-backend.ts';
import { TINY_CONFIG, TINY_SEMANTIC_DECODER } from './tiny-config.ts';
import { loadState } from './train-state.ts';

export const DEFAULT_PACKAGE_DIR = join(import.meta.dirname, '..', 'public', 'models', 'default');
export const DEFAULT_MODEL_NAME = 'TokenFlow-Tiny, trained on CPU — not the released model';
const CARD = 'MODEL_CARD.md';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      precision: { type: 'string', default: 'fp32' },
      checkpoint: { type: 'string', default: CHECKPOINT_FILE },
      // Export the last saved training state (e.g. of a run still going or cut short) instead of the final checkpoint.
      'from-state': { type: 'boolean', default: false },
      out: { type: 'string', default: DEFAULT_PACKAGE_DIR },
    },
  });
  if (values['from-state']) values.checkpoint = await checkpointFromState();
  if (values.precision !== 'fp32' && values.precision !== 'fp16')
    throw new Error(`--precision must be fp32 or fp16, got ${values.precision}`);
  if (!existsSync(values.checkpoint!))
    throw new Error(`${values.checkpoint}: no trained checkpoint; run npm run train first`);
  const outDir = values.out!;
  const cardPath = join(outDir, CARD);
  const card = existsSync(cardPath) ? readFileSync(cardPath) : null;
  // The exporter replaces only a folder holding nothing but its own package: the card steps out meanwhile.
  if (card) rmSync(cardPath);
  let manifest: Awaited<ReturnType<typeof exportCheckpointToDir>>['manifest'];
  try {
    ({ manifest } = await exportCheckpointToDir(values.checkpoint!, outDir, {
      precision: values.precision,
      inputSize: TINY_CONFIG.inputSize,
      scales: TINY_CONFIG.scales,
      name: DEFAULT_MODEL_NAME,
      onProgress: (e) => console.log(e.message),
    }));
  } finally {
    if (card) writeFileSync(cardPath, card);
  }
  const bytes = manifest.files.reduce((a, f) => a + f.bytes, 0);
  console.log(
    `${manifest.name}: ${manifest.numTokens} tokens, K=${manifest.codebookSize}, ${manifest.precision}, ` +
      `${(bytes / 1e6).toFixed(1)} MB in ${outDir}`,
  );
}

async function checkpointFromState(): Promise<string> {
  await startBackend();
  const layout = layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER);
  const params = createParams(layout);
  const info = await loadState(STATE_FILE, params, null);
  if (!info) throw new Error(`${STATE_FILE}: no saved training state`);
  const path = join(RUN_DIR, `tokenflow-tiny-step${info.step}.pt`);
  await writeOfficialCheckpoint(path, layout, params);
  console.log(`wrote ${path} from the state saved at step ${info.step}`);
  return path;
}

main().catch((e: unknown) => {
  console.error(`train:export: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
