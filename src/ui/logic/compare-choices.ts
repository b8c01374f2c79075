/**
 * What the before/after slider can put against the crop: each model's current reconstruction,
 * the pinned result, and every decoded depth of the strip. Keys are stable strings so the choice
 * survives new results of the same kind ("recon:2" stays model 2's reconstruction).
 */
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { PlaygroundState } from '../state/types.ts';

export interface CompareChoice {
  readonly key: string;
  readonly label: string;
  readonly image: RgbImage;
}

export function compareChoices(s: Pick<PlaygroundState, 'models' | 'pinned' | 'depthStrip'>): CompareChoice[] {
  const out: CompareChoice[] = [];
  for (const m of s.models) {
    const r = m.recon;
    if (!r) continue;
    const size = r.result.outputSize;
    const how = r.from === 'edited' ? ', edited tokens' : r.from === 'pasted' ? ', pasted tokens' : '';
    out.push({
      key: `recon:${m.id}`,
      label: `${m.manifest?.name ?? m.url}: scales 1…${r.scalesUsed}${how}`,
      image: { width: size, height: size, data: r.result.imageU8 },
    });
  }
  if (s.pinned) out.push({ key: 'pinned', label: `pinned: ${s.pinned.label}`, image: s.pinned.image });
  const strip = s.depthStrip;
  if (strip) {
    const name = s.models.find((m) => m.id === strip.modelId)?.manifest?.name ?? 'model';
    for (const d of strip.depths)
      if (d) out.push({ key: `depth:${d.k}`, label: `${name}: depth ${d.k} (scales 1…${d.k})`, image: d.image });
  }
  return out;
}

/** The chosen entry, else the first (the active model's reconstruction comes first when `preferred` names it). */
export function resolveCompare(
  choices: readonly CompareChoice[],
  key: string | undefined,
  preferred?: string,
): CompareChoice | undefined {
  return choices.find((c) => c.key === key) ?? choices.find((c) => c.key === preferred) ?? choices[0];
}
