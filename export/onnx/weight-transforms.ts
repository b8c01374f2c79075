/**
 * Re-layouts of checkpoint weights applied at write time, one tensor at a time, so a graph
 * can declare "this Linear weight, transposed" without reading any bytes at build time.
 * Each transform has a shape rule (used while building) and a data rule (used while writing);
 * both live here so they cannot drift apart.
 */

export type WeightTransform =
  /** 2-D [rows, cols] → [cols, rows]: PyTorch Linear weights are [out, in], MatMul wants [in, out]. */
  | { readonly kind: 'transpose' }
  /** Rows [start, start+count) of dimension 0: CLIP's packed in_proj holds q | k | v. */
  | { readonly kind: 'rows'; readonly start: number; readonly count: number }
  /** Same data, new dims (e.g. a [C] GroupNorm scale as [C,1,1] to broadcast over NCHW). */
  | { readonly kind: 'reshape'; readonly dims: readonly number[] };

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function describeTransform(t: WeightTransform): string {
  switch (t.kind) {
    case 'transpose':
      return 'T';
    case 'rows':
      return `rows${t.start}_${t.start + t.count}`;
    case 'reshape':
      return `r${t.dims.join('x')}`;
  }
}

/** The shape after `t`, or an error naming `what` (the checkpoint key) when `t` does not apply. */
export function transformShape(shape: readonly number[], t: WeightTransform, what: string): number[] {
  switch (t.kind) {
    case 'transpose':
      if (shape.length !== 2) throw new Error(`${what}: transpose needs a 2-D tensor, shape is [${shape.join(',')}]`);
      return [shape[1], shape[0]];
    case 'rows':
      if (shape.length < 1 || t.start < 0 || t.count < 1 || t.start + t.count > shape[0]) {
        throw new Error(`${what}: rows [${t.start}, ${t.start + t.count}) do not fit shape [${shape.join(',')}]`);
      }
      return [t.count, ...shape.slice(1)];
    case 'reshape':
      if (numel(t.dims) !== numel(shape)) {
        throw new Error(`${what}: cannot reshape [${shape.join(',')}] to [${t.dims.join(',')}]`);
      }
      return [...t.dims];
  }
}

export function applyTransform(
  data: Float32Array,
  shape: readonly number[],
  t: WeightTransform,
  what: string,
): Float32Array {
  transformShape(shape, t, what);
  switch (t.kind) {
    case 'transpose': {
      const [r, c] = shape;
      const out = new Float32Array(data.length);
      for (let i = 0; i < r; i++) {
        const row = i * c;
        for (let j = 0; j < c; j++) out[j * r + i] = data[row + j];
      }
      return out;
    }
    case 'rows': {
      const inner = numel(shape.slice(1));
      // A view, not a copy: the caller only reads it.
      return data.subarray(t.start * inner, (t.start + t.count) * inner);
    }
    case 'reshape':
      return data;
  }
}

export function transformShapes(shape: readonly number[], ts: readonly WeightTransform[], what: string): number[] {
  let s = [...shape];
  for (const t of ts) s = transformShape(s, t, what);
  return s;
}

export function applyTransforms(
  data: Float32Array,
  shape: readonly number[],
  ts: readonly WeightTransform[],
  what: string,
): Float32Array {
  let d = data;
  let s: readonly number[] = shape;
  for (const t of ts) {
    d = applyTransform(d, s, t, what);
    s = transformShape(s, t, what);
  }
  return d;
}
