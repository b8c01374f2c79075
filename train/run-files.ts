/** Where a training run keeps its resumable state and final checkpoint (git-ignored; TRAIN_RUN_DIR overrides, e.g. for trials). */
import { join } from 'node:path';
import { CACHE_DIR } from './data-sources.ts';

export const RUN_DIR = process.env.TRAIN_RUN_DIR ?? join(CACHE_DIR, 'run');
export const STATE_FILE = join(RUN_DIR, 'state.bin');
export const CHECKPOINT_FILE = join(RUN_DIR, 'tokenflow-tiny.pt');
