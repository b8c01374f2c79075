/**
 * User action (beyond the paper): weight the semantic and pixel distances differently and
 * re-quantize (logic/weights.ts). Encodes are debounced so dragging the slider re-quantizes once it
 * rests, and the worker keeps only the newest result.
 */
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';
import { setState } from '../state/store.ts';
import { encodeAll } from './encode-image.ts';

const SETTLE_MS = 200;
let timer: ReturnType<typeof setTimeout> | undefined;

export function setWeights(weights: DistanceWeights): void {
  setState({ weights });
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    void encodeAll();
  }, SETTLE_MS);
}
