/**
 * A colour per code, so a token grid reads at a glance: equal indices get equal colours (the
 * colour is a function of the code alone) and similar code vectors get similar colours (the
 * colour is a linear projection of the vector). The projection is the codebook's first three
 * principal components, computed once per model and codebook, each mapped to one RGB channel
 * over ±2.5 standard deviations.
 *
 * 32768 codes × 32 dims is ~35 M multiply-adds (~0.3 s measured in Node): the page runs this in
 * its helper worker (workers/page.worker.ts), never on the UI thread.
 */

export type CodebookName = 'semantic' | 'pixel';

export interface CodeColours {
  readonly codebook: CodebookName;
  readonly size: number;
  /** K×3 sRGB bytes. */
  readonly rgb: Uint8Array;
  /** Share of the codebook's variance each of the three components explains. */
  readonly explained: readonly number[];
}

const COMPONENTS = 3;
/** Standard deviations mapped onto the 0…255 range of a channel. */
const SPAN_SIGMAS = 2.5;

/** @param rows K×dim code vectors (the package's L2-normalised codebook rows). */
export function computeCodeColours(codebook: CodebookName, rows: Float32Array, dim: number): CodeColours {
  if (!Number.isInteger(dim) || dim < 1 || rows.length % dim !== 0) {
    throw new Error(`${codebook} codebook: ${rows.length} values is not a whole number of rows of ${dim}`);
  }
  const K = rows.length / dim;

  const mean = new Float64Array(dim);
  for (let k = 0; k < K; k++) for (let j = 0; j < dim; j++) mean[j] += rows[k * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(K, 1);

  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < dim; j++) centred[j] = rows[k * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      for (let b = a; b < dim; b++) cov[a * dim + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= Math.max(K, 1);
      cov[b * dim + a] = cov[a * dim + b];
    }
  }

  const { values, vectors } = symmetricEigen(cov, dim);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const comps: { axis: Float64Array; sigma: number; share: number }[] = [];
  for (let c = 0; c < COMPONENTS; c++) {
    if (c >= dim) {
      comps.push({ axis: new Float64Array(dim), sigma: 0, share: 0 });
      continue;
    }
    comps.push({
      axis: vectors[c],
      sigma: Math.sqrt(Math.max(values[c], 0)),
      share: total > 0 ? Math.max(values[c], 0) / total : 0,
    });
  }

  const rgb = new Uint8Array(K * 3);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < COMPONENTS; c++) {
      const { axis, sigma } = comps[c];
      let p = 0;
      for (let j = 0; j < dim; j++) p += (rows[k * dim + j] - mean[j]) * axis[j];
      const t = sigma > 0 ? 0.5 + p / (2 * SPAN_SIGMAS * sigma) : 0.5;
      rgb[k * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, t)));
    }
  }
  return { codebook, size: K, rgb, explained: comps.map((c) => c.share) };
}

/** CSS colour of a code. */
export function codeCss(colours: CodeColours, code: number): string {
  const o = code * 3;
  return `rgb(${colours.rgb[o]} ${colours.rgb[o + 1]} ${colours.rgb[o + 2]})`;
}

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: exact enough,
 * dependency-free and deterministic. Returns eigenvalues in decreasing order with unit
 * eigenvectors whose largest-magnitude component is positive, so the colours of a model never
 * flip between runs.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i] || i - j);
  const vectors = order.map((col) => {
    const vec = new Float64Array(n);
    let big = 0;
    for (let k = 0; k < n; k++) {
      vec[k] = v[k * n + col];
      if (Math.abs(vec[k]) > Math.abs(big)) big = vec[k];
    }
    if (big < 0) for (let k = 0; k < n; k++) vec[k] = -vec[k];
    return vec;
  });
  return { values: order.map((i) => a[i * n + i]), vectors };
}
