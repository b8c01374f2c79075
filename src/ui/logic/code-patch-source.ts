/**
 * Where to take a picture of a code from: a token of this image that holds it, at the scale
 * closest to the one being inspected (a patch from the same scale shows the same amount of
 * image), else nothing — then the code is decoded alone (actions/code-patches.ts).
 */
import { positionOf, type TokenLayout, type TokenPosition } from './token-layout.ts';

export function patchSourceOf(
  layout: TokenLayout,
  tokens: Int32Array,
  code: number,
  preferScaleIndex: number,
): TokenPosition | undefined {
  let best: TokenPosition | undefined;
  for (let t = 0; t < tokens.length; t++) {
    if (tokens[t] !== code) continue;
    const p = positionOf(layout, t);
    if (!best || Math.abs(p.scaleIndex - preferScaleIndex) < Math.abs(best.scaleIndex - preferScaleIndex)) best = p;
    if (p.scaleIndex === preferScaleIndex) break;
  }
  return best;
}

/** The key of a code decoded alone in the store's patch cache. */
export const codePatchKey = (modelId: number, code: number) => `${modelId}:${code}`;
