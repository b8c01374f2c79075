/**
 * Where tokens live: the flat index sequence is scale-major and row-major within a scale
 * (docs/spec.md §4.1), so "token 5 at scale 4" is a position in that sequence. Everything the grids,
 * the inspector and the URL say about a token goes through these conversions.
 */
import { areaMatrix } from '../../core/resample.ts';
import { createScalePlan } from '../../core/quantizer/scale-plan.ts';
import type { Box } from '../../core/image/rgb-image.ts';

/** A token by scale and grid cell; `scaleIndex` is the position in the scale list, `side` its s. */
export interface TokenPosition {
  readonly scaleIndex: number;
  readonly row: number;
  readonly col: number;
}

export interface TokenLayout {
  readonly scales: readonly number[];
  /** tokenOffsets[i] = Σ_{j<i} scales[j]²; last = numTokens. */
  readonly tokenOffsets: readonly number[];
  readonly numTokens: number;
  /** Side of the final grid S. */
  readonly gridSize: number;
}

export function createTokenLayout(gridSize: number, scales: readonly number[]): TokenLayout {
  const plan = createScalePlan(gridSize, scales);
  return { scales: plan.scales, tokenOffsets: plan.tokenOffsets, numTokens: plan.numTokens, gridSize };
}

/** Flat position in the token sequence; throws naming the cell when it is outside the grid. */
export function flatIndex(layout: TokenLayout, p: TokenPosition): number {
  const s = layout.scales[p.scaleIndex];
  if (s === undefined)
    throw new Error(`scale #${p.scaleIndex} does not exist (the model has ${layout.scales.length} scales)`);
  if (!Number.isInteger(p.row) || !Number.isInteger(p.col) || p.row < 0 || p.col < 0 || p.row >= s || p.col >= s) {
    throw new Error(`cell (row ${p.row}, column ${p.col}) is outside the ${s}×${s} grid`);
  }
  return layout.tokenOffsets[p.scaleIndex] + p.row * s + p.col;
}

export function positionOf(layout: TokenLayout, flat: number): TokenPosition {
  if (!Number.isInteger(flat) || flat < 0 || flat >= layout.numTokens) {
    throw new Error(`token ${flat} is outside [0, ${layout.numTokens})`);
  }
  let i = 0;
  while (layout.tokenOffsets[i + 1] <= flat) i++;
  const s = layout.scales[i];
  const within = flat - layout.tokenOffsets[i];
  return { scaleIndex: i, row: Math.floor(within / s), col: within % s };
}

/** The indices of one scale (a view, not a copy). */
export function scaleSlice<T extends { subarray(begin: number, end: number): T }>(
  layout: TokenLayout,
  values: T,
  scaleIndex: number,
): T {
  return values.subarray(layout.tokenOffsets[scaleIndex], layout.tokenOffsets[scaleIndex + 1]);
}

/**
 * Bits to store one image's tokens: Σ s² · log2 K. With the released CLIP model at 256
 * (817 tokens, K = 32768) that is 817 · 15 = 12255 bits.
 */
export function bitsPerImage(numTokens: number, codebookSize: number): number {
  return numTokens * Math.log2(codebookSize);
}

/** Every position (any scale) whose index equals `code`, in sequence order. */
export function occurrencesOf(layout: TokenLayout, indices: Int32Array, code: number): TokenPosition[] {
  const out: TokenPosition[] = [];
  for (let t = 0; t < indices.length; t++) if (indices[t] === code) out.push(positionOf(layout, t));
  return out;
}

/**
 * The square of the R×R crop a token summarises. A token at scale s is the area average
 * (`F.interpolate(mode='area')`) of the S-grid cells its bin covers; bins overlap when S is not
 * a multiple of s (14→4 uses rows [0,4),[3,7),…), so the footprint is read off the same area
 * matrix the quantizer uses, and each S cell is R/S pixels of the crop.
 */
export function tokenFootprint(layout: TokenLayout, p: TokenPosition, cropSize: number): Box {
  const s = layout.scales[p.scaleIndex];
  const area = areaMatrix(layout.gridSize, s);
  const [r0, r1] = binOf(area.data, area.cols, p.row);
  const [c0, c1] = binOf(area.data, area.cols, p.col);
  const cell = cropSize / layout.gridSize;
  return { x: c0 * cell, y: r0 * cell, width: (c1 - c0) * cell, height: (r1 - r0) * cell };
}

/** First and one-past-last input cell with non-zero weight in row `i` of an area matrix. */
function binOf(data: Float64Array, cols: number, i: number): [number, number] {
  let start = -1;
  let end = -1;
  for (let j = 0; j < cols; j++) {
    if (data[i * cols + j] !== 0) {
      if (start < 0) start = j;
      end = j + 1;
    }
  }
  return [start, end];
}

/** "scale 4×4, row 1, column 2" — how the UI names a token. */
export function describePosition(layout: TokenLayout, p: TokenPosition): string {
  const s = layout.scales[p.scaleIndex];
  return `scale ${s}×${s}, row ${p.row}, column ${p.col}`;
}

/** Scales a token count covers: the whole list, or a prefix (pasted progressive tokens). */
export function scalesCovered(layout: TokenLayout, tokenCount: number): number {
  const n = layout.tokenOffsets.indexOf(tokenCount);
  return n >= 1 ? n : layout.scales.length;
}

/** The scale a grid shows: the chosen one, else the finest the tokens cover. */
export function shownScaleIndex(layout: TokenLayout, chosen: number | undefined, tokenCount: number): number {
  return Math.min(chosen ?? scalesCovered(layout, tokenCount) - 1, layout.scales.length - 1);
}
