/**
 * Test-only: the quantizer at the released checkpoints' sizes (K = 32768, Ds = 32, Dp = 8; SigLIP:
 * S = 27, 15 scales; CLIP@256: S = 16, 9 scales) on seeded random data, for the benchmarks that
 * time it. One place, so the CPU and onnxruntime benchmarks time the same problem.
 */
import { createCodebooks, type Codebooks } from '../core/quantizer/codebook.ts';
import { randomArray } from './random.ts';

export const RELEASED_K = 32768;
export const RELEASED_SEMANTIC_DIM = 32;
export const RELEASED_PIXEL_DIM = 8;

export const RELEASED_QUANTIZER_CONFIGS: readonly { name: string; S: number; scales: number[] }[] = [
  { name: 'siglip-384', S: 27, scales: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 17, 22, 27] },
  { name: 'clip-256', S: 16, scales: [1, 2, 4, 6, 8, 10, 12, 14, 16] },
];

/** Random codebooks of the released size (seeds 1 and 2). */
export function randomReleasedCodebooks(): Codebooks {
  return createCodebooks(
    randomArray(RELEASED_K * RELEASED_SEMANTIC_DIM, 1),
    RELEASED_SEMANTIC_DIM,
    randomArray(RELEASED_K * RELEASED_PIXEL_DIM, 2),
    RELEASED_PIXEL_DIM,
  );
}

/** Random features h of shape (Ds + Dp, S, S) (seed 3). */
export function randomReleasedFeatures(S: number): Float32Array {
  return randomArray((RELEASED_SEMANTIC_DIM + RELEASED_PIXEL_DIM) * S * S, 3);
}
