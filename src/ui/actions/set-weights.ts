/**
 * User action (beyond the paper): weight the semantic and pixel distances differently and
 * re-quantize (logic/weights.ts). Encodes are debounced so dragging the slider re-quantizes once it
 * rests, and the worker keeps only the newest result. The result before the first change is
 * pinned, so the new one can be compared with it.
 */
import type { DistanceWeights } from '../../core/quantizer/nearest-codes.ts';
import { getState, setState } from '../state/store.ts';
import { encodeAll } from './encode-image.ts';
import { pinResult } from './pin-result.ts';

const SETTLE_MS = 200;
let timer: ReturnType<typeof setTimeout> | undefined;

export function setWeights(weights: DistanceWeights): void {
  // The new encode replaces the result on screen: keep it pinned (unless something already is) so the two can be compared.
  if (!getState().pinned) pinResult();
  setState({ weights });
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    void encodeAll();
  }, SETTLE_MS);
}
