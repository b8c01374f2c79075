/**
 * Per scale, where the joint index equals the semantic-only and/or the pixel-only winner
 * (logic/agreement.ts): the grid of the shown scale in four colours, and counts for every scale.
 */
import { useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { setScaleIndex } from '../actions/select-token.ts';
import { AGREEMENT_LABELS, agreementMap, agreementPerScale, type Agreement } from '../logic/agreement.ts';
import { positionOf, scaleSlice, shownScaleIndex } from '../logic/token-layout.ts';
import { activeModel, usePlayground } from '../state/store.ts';

export const AGREEMENT_COLOURS: Readonly<Record<Agreement, string>> = {
  3: '#3a9a5b',
  1: '#3d7fd9',
  2: '#e08a2c',
  0: '#5b5b66',
};

const CELL_PX = 12;

/** One canvas rather than s² elements: the map is a picture; the table below gives the numbers. */
function AgreementCanvas({
  side,
  values,
  selected,
}: {
  readonly side: number;
  readonly values: Uint8Array;
  readonly selected?: { row: number; col: number };
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const cell = Math.max(4, Math.ceil((CELL_PX * 16) / side));
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    // Scales of equal canvas size (16 × 12 px = 8 × 24 px) keep the canvas: clear the last map's cells and gaps.
    ctx.clearRect(0, 0, side * cell, side * cell);
    for (let p = 0; p < values.length; p++) {
      ctx.fillStyle = AGREEMENT_COLOURS[values[p] as Agreement];
      ctx.fillRect((p % side) * cell, Math.floor(p / side) * cell, cell - 1, cell - 1);
    }
    if (selected) {
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffd400';
      ctx.strokeRect(selected.col * cell + 1, selected.row * cell + 1, cell - 3, cell - 3);
    }
  }, [side, values, cell, selected]);
  return (
    <canvas
      ref={ref}
      width={side * cell}
      height={side * cell}
      className="agreement-grid"
      data-testid="agreement-grid"
      data-scale={side}
      data-agreement={Array.from(values).join('')}
      role="img"
      aria-label={`agreement map of the ${side}×${side} scale; counts per scale in the table below`}
    />
  );
}

export function AgreementMap() {
  // Deferred: a new encode re-renders this in interruptible background work, not in one long task.
  const model = useDeferredValue(usePlayground(activeModel));
  const scaleIndex = usePlayground((s) => s.scaleIndex);
  const selectedToken = usePlayground((s) => s.selected);
  const q = model?.encoded?.quantization;
  const layout = model?.layout;
  const map = useMemo(() => (q ? agreementMap(q.indices, q.indicesSemanticOnly, q.indicesPixelOnly) : undefined), [q]);
  const perScale = useMemo(() => (map && layout ? agreementPerScale(layout, map) : undefined), [map, layout]);
  if (!map || !layout || !perScale) return null;
  const si = shownScaleIndex(layout, scaleIndex, map.length);
  const s = layout.scales[si];
  const slice = scaleSlice(layout, map, si);
  const sel =
    selectedToken !== undefined && selectedToken < layout.numTokens ? positionOf(layout, selectedToken) : undefined;
  const selectedHere = sel && sel.scaleIndex === si ? { row: sel.row, col: sel.col } : undefined;
  return (
    <section className="panel agreement" id="agreement" data-testid="agreement" aria-labelledby="agreement-title">
      <h2 id="agreement-title">
        Agreement at {s}×{s}
      </h2>
      <p className="note">
        Does the joint index equal the index each codebook would pick on its own? (Of this image's encode, before any
        edits.)
      </p>
      <AgreementCanvas side={s} values={slice} selected={selectedHere} />
      {sel && (
        <p className="note" data-testid="agreement-selected">
          Selected token ({layout.scales[sel.scaleIndex]}×{layout.scales[sel.scaleIndex]}, row {sel.row}, column{' '}
          {sel.col}): {AGREEMENT_LABELS[map[selectedToken!] as Agreement]}
          {sel.scaleIndex !== si ? ' (at another scale than this map)' : ''}.
        </p>
      )}
      <ul className="legend">
        {([3, 1, 2, 0] as const).map((a) => (
          <li key={a}>
            <span className="swatch" style={{ background: AGREEMENT_COLOURS[a] }} /> {AGREEMENT_LABELS[a]}
          </li>
        ))}
      </ul>
      <table className="agreement-table">
        <caption>Tokens per scale where the joint index equals…</caption>
        <thead>
          <tr>
            <th scope="col">scale</th>
            <th scope="col">both</th>
            <th scope="col">semantic-only</th>
            <th scope="col">pixel-only</th>
            <th scope="col">neither</th>
          </tr>
        </thead>
        <tbody>
          {perScale.map((c, i) => (
            <tr key={i} className={i === si ? 'current' : undefined} data-scale={layout.scales[i]}>
              <th scope="row">
                <button type="button" className="link" onClick={() => setScaleIndex(i)}>
                  {layout.scales[i]}×{layout.scales[i]}
                </button>
              </th>
              <td>{c.both}</td>
              <td>{c.semanticOnly}</td>
              <td>{c.pixelOnly}</td>
              <td>{c.neither}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
