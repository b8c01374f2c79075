/**
 * CLIP's `interpolate_pos_encoding` (tokenizer/clip/model.py), computed once at export time:
 * the class row is kept, the grid rows are bicubic-resized with PyTorch's scale_factor
 * semantics. The official code passes scale_factor = (target + 0.1)/grid, so source
 * coordinates use grid/(target + 0.1), not grid/target (off by up to 0.05 otherwise).
 */
import { bicubicMatrix, resizePlanes } from '../../src/core/resample.ts';

/** The scale factor the official code passes to F.interpolate for a `grid` → `target` resize. */
export function clipPosScaleFactor(grid: number, target: number): number {
  // Python: w0 = w // patch + 0.1; scale_factor = w0 / math.sqrt(N)
  return (target + 0.1) / grid;
}

/**
 * @param pos  the stored positional embedding, (grid² + 1) × width, row-major
 * @returns    (target² + 1) × width
 */
export function interpolateClipPositionalEmbedding(
  pos: Float32Array,
  width: number,
  grid: number,
  target: number,
): Float32Array {
  const rows = grid * grid + 1;
  if (pos.length !== rows * width) {
    throw new Error(
      `positional embedding has ${pos.length} values, expected ${rows}×${width} for a ${grid}×${grid} grid plus class row`,
    );
  }
  const scaleFactor = clipPosScaleFactor(grid, target);
  // PyTorch's output size for a scale_factor is floor(in · scale_factor).
  if (Math.floor(grid * scaleFactor) !== target) {
    throw new Error(
      `interpolating a ${grid}×${grid} positional grid with scale factor ${scaleFactor} does not give ${target}×${target}`,
    );
  }
  const m = bicubicMatrix(grid, target, { scaleFactor });
  // Channel-last rows → one plane per channel (what resizePlanes works on), and back.
  const planes = new Float32Array(width * grid * grid);
  for (let p = 0; p < grid * grid; p++)
    for (let d = 0; d < width; d++) planes[d * grid * grid + p] = pos[(1 + p) * width + d];
  const resized = resizePlanes(planes, width, m);
  const out = new Float32Array((target * target + 1) * width);
  out.set(pos.subarray(0, width), 0);
  for (let p = 0; p < target * target; p++)
    for (let d = 0; d < width; d++) out[(1 + p) * width + d] = resized[d * target * target + p];
  return out;
}
