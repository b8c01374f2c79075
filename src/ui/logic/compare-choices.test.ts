import { describe, expect, it } from 'vitest';
import type { DecodeResult } from '../../runtime/worker/messages.ts';
import type { ModelView, PlaygroundState } from '../state/types.ts';
import { compareChoices, resolveCompare } from './compare-choices.ts';
import { testManifest } from '../../test-support/test-manifest.ts';

const img = (v: number) => ({ width: 2, height: 2, data: new Uint8Array(12).fill(v) });

function model(id: number, name: string, recon?: Partial<NonNullable<ModelView['recon']>>): ModelView {
  return {
    id,
    url: `http://x/${id}/`,
    phase: 'ready',
    files: [],
    colours: {},
    encodePhase: 'done',
    edits: new Map(),
    tokenNotes: [],
    reconPhase: 'done',
    manifest: testManifest({ name }),
    ...(recon
      ? {
          recon: {
            scalesUsed: 9,
            from: 'encoded',
            result: { outputSize: 2, imageU8: img(id).data } as DecodeResult,
            ...recon,
          },
        }
      : {}),
  };
}

describe('what the slider compares with', () => {
  const state: Pick<PlaygroundState, 'models' | 'pinned' | 'depthStrip'> = {
    models: [model(1, 'Tiny'), model(2, 'Other', { from: 'edited', scalesUsed: 4 })],
    pinned: { label: 'Tiny, 9 scales, w 1:1', image: img(7) },
    depthStrip: { modelId: 2, tokens: new Int32Array(), depths: [{ k: 1, image: img(8), psnr: 10 }, undefined] },
  };

  it('lists reconstructions, the pinned result and decoded depths, with labels', () => {
    const choices = compareChoices(state);
    expect(choices.map((c) => [c.key, c.label])).toEqual([
      ['recon:2', 'Other: scales 1…4, edited tokens'],
      ['pinned', 'pinned: Tiny, 9 scales, w 1:1'],
      ['depth:1', 'Other: depth 1 (scales 1…1)'],
    ]);
    expect(choices[0].image.data[0]).toBe(2);
  });

  it('keeps the chosen key, else the preferred, else the first', () => {
    const choices = compareChoices(state);
    expect(resolveCompare(choices, 'pinned')?.key).toBe('pinned');
    expect(resolveCompare(choices, 'depth:5', 'depth:1')?.key).toBe('depth:1');
    expect(resolveCompare(choices, undefined)?.key).toBe('recon:2');
    expect(resolveCompare([], 'pinned')).toBeUndefined();
  });
});
