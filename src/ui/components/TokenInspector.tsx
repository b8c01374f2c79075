/**
 * The selected token: its joint index and distance, the semantic-only and pixel-only winners
 * with their similarities, the top-k joint candidates (any of which can be put in its place),
 * and every other position holding the same index.
 */
import { useDeferredValue, useMemo, useState } from 'react';
import { resetEdits, setTokenCode } from '../actions/edit-token.ts';
import { selectToken, setScaleIndex } from '../actions/select-token.ts';
import { describePosition, flatIndex, positionOf, tokenFootprint } from '../logic/token-layout.ts';
import type { CodeColours } from '../logic/code-colours.ts';
import { inspectToken, type CodeMatch } from '../logic/token-inspection.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import { tokenCss } from './token-colour.ts';

const f3 = (x: number) => x.toFixed(3);
const fe = (x: number) => (x === Infinity ? '∞' : x < 1e-3 ? x.toExponential(1) : x.toFixed(4));

function MatchRow({ label, m, chosen, colours }: { readonly label: string; readonly m: CodeMatch; readonly chosen: boolean; readonly colours?: CodeColours }) {
  return (
    <tr className={chosen ? 'chosen' : undefined} data-code={m.code}>
      <th scope="row">{label}</th>
      <td>
        <span className="swatch" style={{ background: tokenCss(colours, m.code) }} /> {m.code}
      </td>
      <td>{f3(m.semanticSimilarity)}</td>
      <td>{f3(m.pixelSimilarity)}</td>
      <td>{fe(m.distance)}</td>
    </tr>
  );
}

export function TokenInspector() {
  // Deferred: a new encode re-renders this in interruptible background work, not in one long task.
  const model = useDeferredValue(usePlayground(activeModel));
  const selected = usePlayground((s) => s.selected);
  const weights = usePlayground((s) => s.weights);
  const colourBy = usePlayground((s) => s.colourBy);
  const [typed, setTyped] = useState('');
  const [editError, setEditError] = useState<string>();

  const layout = model?.layout;
  const tokens = model?.tokens;
  const usesEncode = model?.tokenSource !== 'pasted';
  // Distances as the encode weighed them, not as the slider says now.
  const encodedWith = model?.encodedWith ?? weights;
  const q = usesEncode ? model?.encoded?.quantization : undefined;
  const info = useMemo(() => {
    if (!layout || !tokens || selected === undefined || selected >= tokens.length) return undefined;
    return inspectToken({ layout, indices: tokens, position: positionOf(layout, selected), codebooks: model?.codebooks, quantization: q, weights: encodedWith });
  }, [layout, tokens, selected, model?.codebooks, q, encodedWith]);

  if (!model || !layout || !tokens) return null;
  if (!info) {
    return (
      <aside className="inspector" data-testid="inspector">
        <h3>Token inspector</h3>
        <p className="note">Click a token (or focus the grid and use the arrow keys) to inspect it.</p>
      </aside>
    );
  }
  const colours = model.colours[colourBy];
  const K = model.manifest!.codebookSize;
  const crop = model.encoded?.crop.image;
  const foot = crop ? tokenFootprint(layout, info.position, crop.width) : undefined;
  const edit = (code: number) => {
    setEditError(undefined);
    setTokenCode(info.token, code).catch((e: Error) => setEditError(e.message));
  };
  const original = model.edits.get(info.token);

  return (
    <aside className="inspector" data-testid="inspector" data-token={info.token} data-index={info.code} data-occurrences={info.occurrences.length}>
      <h3>
        Token {describePosition(layout, info.position)}
        <button type="button" className="close" onClick={() => selectToken(undefined)} aria-label="Close the inspector">
          ×
        </button>
      </h3>
      <p className="big-index">
        <span className="swatch large" style={{ background: tokenCss(colours, info.code) }} /> index <strong data-testid="inspector-index">{info.code}</strong>
        {original !== undefined && <span className="note"> (edited; the encoder chose {original})</span>}
        {info.joint && <> · joint distance {fe(info.joint.distance)}</>}
        {foot && (
          <span className="note">
            {' '}
            · covers crop pixels x {foot.x}–{foot.x + foot.width}, y {foot.y}–{foot.y + foot.height}
          </span>
        )}
      </p>
      {info.joint && info.semanticOnly && info.pixelOnly && info.margins && (
        <table className="matches" data-testid="inspector-matches">
          <caption>
            Against the residual r<sub>s</sub> at this cell (cosine similarity per codebook; distance = {encodedWith.semantic}·d<sub>sem</sub> + {encodedWith.pixel}·d<sub>pix</sub>)
          </caption>
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">code</th>
              <th scope="col">semantic sim.</th>
              <th scope="col">pixel sim.</th>
              <th scope="col">distance</th>
            </tr>
          </thead>
          <tbody>
            <MatchRow label="joint (chosen)" m={info.joint} chosen colours={colours} />
            <MatchRow label="semantic-only" m={info.semanticOnly} chosen={info.semanticOnly.code === info.code} colours={colours} />
            <MatchRow label="pixel-only" m={info.pixelOnly} chosen={info.pixelOnly.code === info.code} colours={colours} />
          </tbody>
        </table>
      )}
      {info.margins && (
        <p className="note">
          Margins (runner-up minus best): joint {fe(info.margins.joint)}, semantic {fe(info.margins.semantic)}, pixel {fe(info.margins.pixel)}
          {info.margins.joint <= 1e-5 && <strong> — a near tie: another implementation may pick the runner-up</strong>}
        </p>
      )}
      {info.candidates.length > 0 && (
        <table className="candidates" data-testid="candidates">
          <caption>Top {info.candidates.length} joint candidates — pick one to put it here and decode</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">code</th>
              <th scope="col">semantic sim.</th>
              <th scope="col">pixel sim.</th>
              <th scope="col">distance</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {info.candidates.map((c, j) => (
              <tr key={c.code} className={c.code === info.code ? 'chosen' : undefined} data-code={c.code}>
                <td>{j + 1}</td>
                <td>
                  <span className="swatch" style={{ background: tokenCss(colours, c.code) }} /> {c.code}
                </td>
                <td>{f3(c.semanticSimilarity)}</td>
                <td>{f3(c.pixelSimilarity)}</td>
                <td>{fe(c.distance)}</td>
                <td>
                  {c.code !== info.code && (
                    <button type="button" onClick={() => edit(c.code)} aria-label={`Use code ${c.code} for this token`}>
                      use
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!info.joint && <p className="note">These tokens were pasted, so there is no encoder residual to compare codes with.</p>}
      <form
        className="row edit-token"
        onSubmit={(e) => {
          e.preventDefault();
          const code = Number(typed);
          if (typed.trim() === '' || !Number.isInteger(code)) setEditError(`"${typed}" is not a code index; enter an integer in [0, ${K})`);
          else edit(code);
        }}
      >
        <label htmlFor="edit-code">Put another code here</label>
        <input id="edit-code" type="number" min={0} max={K - 1} value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={`0 … ${K - 1}`} />
        <button type="submit">Decode with it</button>
        {model.edits.size > 0 && (
          <button type="button" onClick={() => void resetEdits()}>
            Undo all {model.edits.size} edits
          </button>
        )}
      </form>
      {editError && (
        <p className="error" role="alert">
          {editError}
        </p>
      )}
      <div className="occurrences" data-testid="occurrences">
        <h4>
          Index {info.code} occurs {info.occurrences.length} time{info.occurrences.length === 1 ? '' : 's'} in this image
        </h4>
        <ul>
          {info.occurrences.map((p) => {
            const t = flatIndex(layout, p);
            return (
              <li key={t}>
                <button
                  type="button"
                  className={`link${t === info.token ? ' current' : ''}`}
                  onClick={() => {
                    setScaleIndex(p.scaleIndex);
                    selectToken(t);
                  }}
                >
                  {describePosition(layout, p)}
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </aside>
  );
}
