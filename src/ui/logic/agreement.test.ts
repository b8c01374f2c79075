import { describe, expect, it } from 'vitest';
import { agreementMap, agreementPerScale, countAgreement } from './agreement.ts';
import { createTokenLayout } from './token-layout.ts';

describe('agreement maps', () => {
  it('marks where the joint index equals the semantic-only and/or pixel-only index', () => {
    const joint = Int32Array.from([5, 1, 2, 3, 4]);
    const sem = Int32Array.from([5, 1, 9, 9, 4]);
    const pix = Int32Array.from([5, 8, 2, 9, 4]);
    const map = agreementMap(joint, sem, pix);
    expect(Array.from(map)).toEqual([3, 1, 2, 0, 3]);
    expect(countAgreement(map)).toEqual({ both: 2, semanticOnly: 1, pixelOnly: 1, neither: 1, total: 5 });
    const perScale = agreementPerScale(createTokenLayout(2, [1, 2]), map);
    expect(perScale[0]).toEqual({ both: 1, semanticOnly: 0, pixelOnly: 0, neither: 0, total: 1 });
    expect(perScale[1]).toEqual({ both: 1, semanticOnly: 1, pixelOnly: 1, neither: 1, total: 4 });
  });

  it('refuses index arrays of different lengths', () => {
    expect(() => agreementMap(new Int32Array(3), new Int32Array(3), new Int32Array(2))).toThrow(/same count/);
  });
});
