/**
 * Training batches from the crop cache: 128-pixel windows aligned to the 16-pixel token grid
 * (so the ViT can use the matching window of its 16×16 positional grid), or whole 256 crops;
 * random horizontal flips. Images become [-1,1] floats as the model expects (x = 2p/255 − 1).
 */
import { readFileSync } from 'node:fs';
import { CROPS_FILE, CROP_SIDE } from './data-sources.ts';
import type { GridOffset } from './tokenflow-net.ts';
import { tf } from './tf-backend.ts';

export class CropStore {
  readonly data: Uint8Array;
  constructor(readonly count: number) {
    this.data = new Uint8Array(readFileSync(CROPS_FILE));
    if (this.data.length !== count * CROP_SIDE * CROP_SIDE * 3) throw new Error(`${CROPS_FILE}: size does not match its index (${count} crops); rerun npm run train:data`);
  }

  /** Crop `i`'s window of side `side` at token-grid offset `at`, optionally mirrored, as [-1,1] floats appended to `out`. */
  private window(i: number, side: number, at: GridOffset, flip: boolean, out: Float32Array, o: number): void {
    const S = CROP_SIDE;
    const base = i * S * S * 3;
    const y0 = at.y * 16;
    const x0 = at.x * 16;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const sx = flip ? x0 + side - 1 - x : x0 + x;
        const src = base + ((y0 + y) * S + sx) * 3;
        const dst = o + (y * side + x) * 3;
        for (let c = 0; c < 3; c++) out[dst + c] = this.data[src + c] / 127.5 - 1;
      }
    }
  }

  batch(ids: readonly number[], side: number, at: GridOffset, flips: readonly boolean[]): tf.Tensor4D {
    const n = side * side * 3;
    const out = new Float32Array(ids.length * n);
    ids.forEach((id, b) => this.window(id, side, at, flips[b], out, b * n));
    return tf.tensor4d(out, [ids.length, side, side, 3]);
  }
}
