/**
 * Training batches from the crop cache (256-pixel crops): each becomes a 128-pixel input either
 * by 2×2 box averaging of the whole crop (dense detail, like a held-out photo resized to the model)
 * or as a random 128 window at the crop's own scale; random horizontal flips. Images become [-1,1]
 * floats as the model expects (x = 2p/255 − 1).
 */
import { readFileSync } from 'node:fs';
import { CROPS_FILE, CROP_SIDE } from './data-sources.ts';
import { tf } from './tf-backend.ts';

/** How one crop becomes a training input. */
export interface CropView {
  readonly id: number;
  readonly flip: boolean;
  /** null: the whole crop, box-downsampled; otherwise the top-left corner of a native window. */
  readonly window: { readonly y: number; readonly x: number } | null;
}

export class CropStore {
  readonly data: Uint8Array;
  constructor(readonly count: number) {
    this.data = new Uint8Array(readFileSync(CROPS_FILE));
    if (this.data.length !== count * CROP_SIDE * CROP_SIDE * 3)
      throw new Error(`${CROPS_FILE}: size does not match its index (${count} crops); rerun npm run train:data`);
  }

  /** A random view of crop `id` with side `side` (at most CROP_SIDE), from a random source `rand` in [0,1). */
  static randomView(id: number, side: number, rand: () => number): CropView {
    const flip = rand() < 0.5;
    const native = side * 2 !== CROP_SIDE || rand() < 0.5;
    const span = CROP_SIDE - side + 1;
    return { id, flip, window: native ? { y: Math.floor(rand() * span), x: Math.floor(rand() * span) } : null };
  }

  private fill(v: CropView, side: number, out: Float32Array, o: number): void {
    const S = CROP_SIDE;
    const base = v.id * S * S * 3;
    const f = v.window ? 1 : S / side;
    const y0 = v.window?.y ?? 0;
    const x0 = v.window?.x ?? 0;
    const scale = 1 / (127.5 * f * f);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const dst = o + (y * side + x) * 3;
        const sxBase = x0 + (v.flip ? side - 1 - x : x) * f;
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < f; dy++)
            for (let dx = 0; dx < f; dx++) sum += this.data[base + ((y0 + y * f + dy) * S + sxBase + dx) * 3 + c];
          out[dst + c] = sum * scale - 1;
        }
      }
    }
  }

  batch(views: readonly CropView[], side: number): tf.Tensor4D {
    const n = side * side * 3;
    const out = new Float32Array(views.length * n);
    views.forEach((v, b) => this.fill(v, side, out, b * n));
    return tf.tensor4d(out, [views.length, side, side, 3]);
  }
}
