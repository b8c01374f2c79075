/**
 * The selected token: its joint index and distance, the semantic-only and pixel-only winners
 * with their similarities, the top-k joint candidates (any of which can be put in its place),
 * and every other position holding the same index. Every code comes with a picture: a patch of
 * this image where a token holds it, else the code decoded alone (actions/code-patches.ts).
 */
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { requestCodePatches } from '../actions/code-patches.ts';
import { decodesUnasked } from '../actions/depth-strip.ts';
import { resetEdits, setTokenCode } from '../actions/edit-token.ts';
import { selectToken, setScaleIndex } from '../actions/select-token.ts';
import { describePosition, flatIndex, positionOf, tokenFootprint } from '../logic/token-layout.ts';
import type { CodeColours } from '../logic/code-colours.ts';
import { inspectToken, type CodeMatch } from '../logic/token-inspection.ts';
import { codePatchKey, patchSourceOf } from '../logic/code-patch-source.ts';
import { tokenCell } from '../logic/token-region.ts';
import { count } from '../logic/plural.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import type { ModelView } from '../state/types.ts';
import { CropPatch, ImagePatch, useCropBitmap } from './CropPatch.tsx';
import { tokenCss } from './token-colour.ts';

const PATCH_PX = 40;

/** Where each code's picture comes from, for the model and the inspected scale. */
interface Pictures {
  readonly model: ModelView;
  readonly crop?: ImageBitmap;
  readonly scaleIndex: number;
  /** Whether codes are decoded alone without asking (a quick decoder). */
  readonly unasked: boolean;
}

function CodePicture({ code, pictures }: { readonly code: number; readonly pictures: Pictures }) {
  const { model, crop, scaleIndex } = pictures;
  const alone = usePlayground((s) => s.codePatches.get(codePatchKey(model.id, code)));
  const source =
    model.layout && model.tokens && crop ? patchSourceOf(model.layout, model.tokens, code, scaleIndex) : undefined;
  if (source && crop && model.layout) {
    return (
      <span
        className="code-picture"
        title={`from this image: ${describePosition(model.layout, source)}`}
        data-picture="image"
      >
        <CropPatch crop={crop} layout={model.layout} position={source} px={PATCH_PX} />
      </span>
    );
  }
  if (alone) {
    return (
      <span
        className="code-picture"
        title={`code ${code} decoded alone (every token set to it); no token of this image holds it`}
        data-picture="decoded"
      >
        <ImagePatch image={alone} px={PATCH_PX} />
      </span>
    );
  }
  if (!pictures.unasked) {
    return (
      <button
        type="button"
        className="code-picture pending"
        data-picture="ask"
        onClick={() => requestCodePatches(model.id, [code])}
        aria-label={`Decode code ${code} alone for a picture`}
      >
        ?
      </button>
    );
  }
  return <span className="code-picture pending" title="decoding this code alone…" data-picture="pending" />;
}

const f3 = (x: number) => x.toFixed(3);
const fmtPx = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const fe = (x: number) => (x === Infinity ? '∞' : x < 1e-3 ? x.toExponential(1) : x.toFixed(4));

function MatchRow({
  label,
  m,
  chosen,
  colours,
  pictures,
}: {
  readonly label: string;
  readonly m: CodeMatch;
  readonly chosen: boolean;
  readonly colours?: CodeColours;
  readonly pictures: Pictures;
}) {
  return (
    <tr className={chosen ? 'chosen' : undefined} data-code={m.code}>
      <th scope="row">{label}</th>
      <td className="code-cell">
        <CodePicture code={m.code} pictures={pictures} />
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
    return inspectToken({
      layout,
      indices: tokens,
      position: positionOf(layout, selected),
      codebooks: model?.codebooks,
      quantization: q,
      weights: encodedWith,
    });
  }, [layout, tokens, selected, model?.codebooks, q, encodedWith]);
  const crop = useCropBitmap(model?.tokenSource !== 'pasted' ? model?.encoded?.crop.image : undefined);
  // Codes no token of this image holds are decoded alone, in the model's worker, one at a time.
  const absent = useMemo(() => {
    if (!info || !tokens) return [];
    const codes = [
      info.code,
      info.semanticOnly?.code,
      info.pixelOnly?.code,
      ...info.candidates.map((c) => c.code),
    ].filter((c): c is number => c !== undefined);
    const used = new Set(tokens);
    return [...new Set(codes)].filter((c) => !used.has(c));
  }, [info, tokens]);
  const modelId = model?.id;
  const unasked = decodesUnasked(model?.manifest?.outputSize);
  useEffect(() => {
    if (modelId !== undefined && unasked && absent.length > 0) requestCodePatches(modelId, absent);
  }, [modelId, absent, unasked]);

  if (!model || !layout || !tokens) return null;
  if (!info) {
    return (
      <aside className="panel inspector" id="inspector" data-testid="inspector" aria-labelledby="inspector-title">
        <h2 id="inspector-title">Token inspector</h2>
        <p className="note">
          Click a token in the grid or on an image (or focus the grid and use the arrow keys) to inspect it; Esc lets
          go.
        </p>
      </aside>
    );
  }
  const colours = model.colours[colourBy];
  const K = model.manifest!.codebookSize;
  const cropImage = model.encoded?.crop.image;
  const foot = cropImage ? tokenFootprint(layout, info.position, cropImage.width) : undefined;
  const cell = cropImage ? tokenCell(layout, info.position, cropImage.width) : undefined;
  const pictures: Pictures = { model, crop, scaleIndex: info.position.scaleIndex, unasked };
  const edit = (code: number) => {
    setEditError(undefined);
    setTokenCode(info.token, code).catch((e: Error) => setEditError(e.message));
  };
  const original = model.edits.get(info.token);

  return (
    <aside
      className="panel inspector"
      id="inspector"
      data-testid="inspector"
      data-token={info.token}
      data-index={info.code}
      data-occurrences={info.occurrences.length}
      aria-labelledby="inspector-title"
    >
      <h2 id="inspector-title">
        Token {describePosition(layout, info.position)}
        <button
          type="button"
          className="close"
          onClick={() => selectToken(undefined)}
          aria-label="Close the inspector (Esc)"
        >
          ×
        </button>
      </h2>
      <p className="big-index">
        <CodePicture code={info.code} pictures={pictures} />
        <span className="swatch large" style={{ background: tokenCss(colours, info.code) }} /> index{' '}
        <strong data-testid="inspector-index">{info.code}</strong>
        {original !== undefined && <span className="note"> (edited; the encoder chose {original})</span>}
        {info.joint && <> · joint distance {fe(info.joint.distance)}</>}
        {foot && (
          <span className="note">
            {' '}
            · outlined on the images: its cell x {fmtPx(cell!.x)}–{fmtPx(cell!.x + cell!.width)}, y {fmtPx(cell!.y)}–
            {fmtPx(cell!.y + cell!.height)} of the crop. The quantizer averaged it from x {fmtPx(foot.x)}–
            {fmtPx(foot.x + foot.width)}, y {fmtPx(foot.y)}–{fmtPx(foot.y + foot.height)}, and its code reaches past the
            cell (bicubic upsampling into f̂, then the decoder)
          </span>
        )}
      </p>
      {info.joint && info.semanticOnly && info.pixelOnly && info.margins && (
        <table className="matches" data-testid="inspector-matches">
          <caption>
            Against the residual r<sub>s</sub> at this cell (cosine similarity per codebook; distance ={' '}
            {encodedWith.semantic}·d<sub>sem</sub> + {encodedWith.pixel}·d<sub>pix</sub>)
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
            <MatchRow label="joint (chosen)" m={info.joint} chosen colours={colours} pictures={pictures} />
            {(
              [
                ['semantic-only', info.semanticOnly],
                ['pixel-only', info.pixelOnly],
              ] as const
            ).map(([label, m]) => (
              <MatchRow
                key={label}
                label={label}
                m={m}
                chosen={m.code === info.code}
                colours={colours}
                pictures={pictures}
              />
            ))}
          </tbody>
        </table>
      )}
      {info.margins && (
        <p className="note">
          Margins (runner-up minus best): joint {fe(info.margins.joint)}, semantic {fe(info.margins.semantic)}, pixel{' '}
          {fe(info.margins.pixel)}
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
                <td className="code-cell">
                  <CodePicture code={c.code} pictures={pictures} />
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
      {!info.joint && (
        <p className="note">These tokens were pasted, so there is no encoder residual to compare codes with.</p>
      )}
      <form
        className="row edit-token"
        onSubmit={(e) => {
          e.preventDefault();
          const code = Number(typed);
          if (typed.trim() === '' || !Number.isInteger(code))
            setEditError(`"${typed}" is not a code index; enter an integer in [0, ${K})`);
          else edit(code);
        }}
      >
        <label htmlFor="edit-code">Put another code here</label>
        <input
          id="edit-code"
          type="number"
          min={0}
          max={K - 1}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          placeholder={`0 … ${K - 1}`}
        />
        <button type="submit">Decode with it</button>
        {model.edits.size > 0 && (
          <button type="button" onClick={() => void resetEdits()}>
            {model.edits.size === 1 ? 'Undo 1 edit' : `Undo all ${model.edits.size} edits`}
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
          Index {info.code} occurs {count(info.occurrences.length, 'time')} in this image
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
