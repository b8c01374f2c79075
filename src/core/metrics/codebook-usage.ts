/** How much of the codebook a token sequence uses: per image, and accumulated over a dataset. */

export interface CodebookUsage {
  /** Distinct codes among the tokens. */
  readonly distinct: number;
  readonly tokens: number;
  readonly codebookSize: number;
  /** distinct / K. At most tokens / K for one image. */
  readonly usage: number;
}

export function codebookUsage(indices: ArrayLike<number>, codebookSize: number): CodebookUsage {
  const seen = new Uint8Array(checkCodebookSize(codebookSize));
  let distinct = 0;
  for (let i = 0; i < indices.length; i++) {
    const k = checkIndex(indices[i], i, codebookSize);
    if (seen[k] === 0) {
      seen[k] = 1;
      distinct++;
    }
  }
  return { distinct, tokens: indices.length, codebookSize, usage: distinct / codebookSize };
}

/** Code frequencies over many token sequences, in O(K) memory however many images are added. */
export class CodebookTally {
  readonly counts: Float64Array;
  private total = 0;

  constructor(readonly codebookSize: number) {
    this.counts = new Float64Array(checkCodebookSize(codebookSize));
  }

  add(indices: ArrayLike<number>): void {
    for (let i = 0; i < indices.length; i++) this.counts[checkIndex(indices[i], i, this.codebookSize)]++;
    this.total += indices.length;
  }

  get tokens(): number {
    return this.total;
  }

  get distinct(): number {
    let n = 0;
    for (let k = 0; k < this.counts.length; k++) if (this.counts[k] > 0) n++;
    return n;
  }

  /** exp(entropy) of the code distribution: the number of equally used codes it is worth. */
  get perplexity(): number {
    if (this.total === 0) return 0;
    let h = 0;
    for (let k = 0; k < this.counts.length; k++) {
      const c = this.counts[k];
      if (c > 0) {
        const p = c / this.total;
        h -= p * Math.log(p);
      }
    }
    return Math.exp(h);
  }
}

function checkCodebookSize(K: number): number {
  if (!Number.isInteger(K) || K < 1) throw new Error(`codebook size K must be a positive integer, got ${K}`);
  return K;
}

function checkIndex(k: number, position: number, K: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`token ${position} is code ${k}, outside [0, K=${K})`);
  return k;
}
