/**
 * Where a token sits on the R×R crop and on the reconstruction, for the overlays that tie a
 * token to the image. A token at scale s owns the nominal cell [x·R/s, (x+1)·R/s) in both axes.
 * That cell is honest about position but not about reach: the quantizer averages it from the
 * S×S features by area bins (token-layout.ts tokenFootprint), its code is bicubically upsampled
 * into f̂ (a cubic kernel reaches ±2 cells of its own grid), and the decoder's convolutions spread
 * it further, so a token also colours the pixels around its cell.
 */
import type { Box } from '../../core/image/rgb-image.ts';
import type { TokenLayout, TokenPosition } from './token-layout.ts';

/** The nominal cell of token `p` on a `size`×`size` image (fractional when s does not divide size). */
export function tokenCell(layout: TokenLayout, p: TokenPosition, size: number): Box {
  const s = layout.scales[p.scaleIndex];
  if (s === undefined)
    throw new Error(`scale #${p.scaleIndex} does not exist (the model has ${layout.scales.length} scales)`);
  const cell = size / s;
  return { x: p.col * cell, y: p.row * cell, width: cell, height: cell };
}

/** The token of scale `scaleIndex` whose nominal cell holds image point (x, y); points outside clamp to the edge. */
export function tokenAtPoint(
  layout: TokenLayout,
  scaleIndex: number,
  x: number,
  y: number,
  size: number,
): TokenPosition {
  const s = layout.scales[scaleIndex];
  if (s === undefined)
    throw new Error(`scale #${scaleIndex} does not exist (the model has ${layout.scales.length} scales)`);
  const at = (v: number) => Math.min(s - 1, Math.max(0, Math.floor((v / size) * s)));
  return { scaleIndex, row: at(y), col: at(x) };
}

/** Positions of the inner grid lines of an s×s grid on a `size`-pixel side (s − 1 of them). */
export function gridLines(side: number, size: number): number[] {
  return Array.from({ length: Math.max(0, side - 1) }, (_, i) => ((i + 1) * size) / side);
}
