/**
 * The tokens of one scale as a grid of buttons, coloured by code (equal index, equal colour;
 * similar code vector, similar colour), with an overview of every scale above it. Hover shows
 * the index; click or arrow keys select a token for the inspector; cells holding the selected
 * token's index are marked, at every scale.
 */
import { memo, useDeferredValue, useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { hoverToken, selectToken, setScaleIndex } from '../actions/select-token.ts';
import { count } from '../logic/plural.ts';
import type { CodeColours } from '../logic/code-colours.ts';
import {
  bitsPerImage,
  flatIndex,
  positionOf,
  scaleSlice,
  shownScaleIndex,
  type TokenLayout,
} from '../logic/token-layout.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import { useImageUrl } from './CropPatch.tsx';
import { tokenCss, tokenRgb } from './token-colour.ts';

const THUMB_PX = 40;

function ScaleThumb(props: {
  readonly layout: TokenLayout;
  readonly tokens: Int32Array;
  readonly scaleIndex: number;
  readonly colours?: CodeColours;
  readonly highlightCode?: number;
  readonly current: boolean;
}) {
  const { layout, tokens, scaleIndex, colours, highlightCode, current } = props;
  const s = layout.scales[scaleIndex];
  const cell = Math.max(2, Math.ceil(THUMB_PX / s));
  const ref = useRef<HTMLCanvasElement>(null);
  const covered = tokens.length >= layout.tokenOffsets[scaleIndex + 1];
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, s * cell, s * cell);
    if (!covered) return;
    const slice = scaleSlice(layout, tokens, scaleIndex);
    for (let p = 0; p < slice.length; p++) {
      const [r, g, b] = tokenRgb(colours, slice[p]);
      ctx.fillStyle = `rgb(${r} ${g} ${b})`;
      ctx.fillRect((p % s) * cell, Math.floor(p / s) * cell, cell, cell);
    }
    if (highlightCode === undefined) return;
    ctx.lineWidth = Math.max(1, cell / 4);
    for (let p = 0; p < slice.length; p++) {
      if (slice[p] !== highlightCode) continue;
      ctx.strokeStyle = '#fff';
      ctx.strokeRect(
        (p % s) * cell + ctx.lineWidth / 2,
        Math.floor(p / s) * cell + ctx.lineWidth / 2,
        cell - ctx.lineWidth,
        cell - ctx.lineWidth,
      );
    }
  }, [layout, tokens, scaleIndex, colours, highlightCode, s, cell, covered]);
  return (
    <button
      type="button"
      className={`scale-thumb${current ? ' current' : ''}`}
      onClick={() => setScaleIndex(scaleIndex)}
      disabled={!covered}
      aria-pressed={current}
      aria-label={`Show scale ${s}×${s} (${count(s * s, 'token')})`}
      data-scale={s}
    >
      <canvas ref={ref} width={s * cell} height={s * cell} aria-hidden="true" />
      <span>
        {s}×{s}
      </span>
    </button>
  );
}

export function TokenGrid() {
  // Deferred: a new encode re-renders this in interruptible background work, not in one long task.
  const model = useDeferredValue(usePlayground(activeModel));
  const scaleIndex = usePlayground((s) => s.scaleIndex);
  const selected = usePlayground((s) => s.selected);
  const colourBy = usePlayground((s) => s.colourBy);
  const overImage = usePlayground((s) => s.gridOverImage);
  const picture = useImageUrl(overImage && model?.tokenSource !== 'pasted' ? model?.encoded?.crop.image : undefined);
  const gridRef = useRef<HTMLDivElement>(null);

  const layout = model?.layout;
  const tokens = model?.tokens;
  if (!model || !layout || !tokens) {
    return (
      <div className="token-grid-empty" data-testid="token-grid-empty">
        {model?.encodePhase === 'running' ? (
          'Tokenizing…'
        ) : model?.encodeError ? (
          <span className="error">Encoding failed: {model.encodeError}</span>
        ) : (
          'Tokens appear here once a model has tokenized an image.'
        )}
      </div>
    );
  }
  const colours = model.colours[colourBy];
  const si = shownScaleIndex(layout, scaleIndex, tokens.length);
  const s = layout.scales[si];
  const covered = tokens.length >= layout.tokenOffsets[si + 1];
  const slice = covered ? scaleSlice(layout, tokens, si) : new Int32Array();
  const selectedCode = selected !== undefined && selected < tokens.length ? tokens[selected] : undefined;
  const selectedPos = selected !== undefined && selected < layout.numTokens ? positionOf(layout, selected) : undefined;
  const K = model.manifest!.codebookSize;

  // One handler for every cell (event delegation), so cells stay memoised across selections.
  const tokenOf = (e: MouseEvent<HTMLDivElement>) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-token]');
    return cell ? Number(cell.dataset.token) : undefined;
  };
  // A click (or Enter / Space, which click a focused button) selects; it never toggles, so Enter on a
  // token chosen with the arrow keys keeps it. Esc or the inspector's close button lets go.
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const t = tokenOf(e);
    if (t !== undefined) selectToken(t);
  };
  const onHover = (e: MouseEvent<HTMLDivElement>) => {
    const t = tokenOf(e);
    if (t !== usePlayground.getState().hovered) hoverToken(t);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && selected !== undefined) {
      e.preventDefault();
      selectToken(undefined);
      return;
    }
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    const from = selectedPos && selectedPos.scaleIndex === si ? selectedPos : { scaleIndex: si, row: 0, col: 0 };
    const row = Math.min(s - 1, Math.max(0, from.row + move[0]));
    const col = Math.min(s - 1, Math.max(0, from.col + move[1]));
    selectToken(flatIndex(layout, { scaleIndex: si, row, col }));
  };

  return (
    <div className="token-grids">
      <div className="scale-strip" role="group" aria-label="Scales">
        {layout.scales.map((_, i) => (
          <ScaleThumb
            key={i}
            layout={layout}
            tokens={tokens}
            scaleIndex={i}
            colours={colours}
            highlightCode={selectedCode}
            current={i === si}
          />
        ))}
      </div>
      <p className="token-summary" data-testid="token-summary">
        Scale {s}×{s}: {count(s * s, 'token')} · all scales: {count(layout.numTokens, 'token')} ={' '}
        {bitsPerImage(layout.numTokens, K).toLocaleString('en', { maximumFractionDigits: 0 })} bits (Σ s² · log₂{' '}
        {K.toLocaleString('en')}){model.tokenSource === 'edited' && <> · {model.edits.size} edited</>}
        {model.tokenSource === 'pasted' && <> · pasted tokens</>}
      </p>
      {covered ? (
        <FocusKeeper gridRef={gridRef} selected={selected}>
          <div
            ref={gridRef}
            className={`token-grid${picture ? ' over-image' : ''}`}
            role="group"
            aria-label={`Tokens at scale ${s}×${s}; arrow keys move the selection`}
            style={{
              gridTemplateColumns: `repeat(${s}, 1fr)`,
              ...(picture ? { backgroundImage: `url(${picture})` } : {}),
            }}
            data-testid="token-grid"
            data-scale={s}
            data-indices={slice.join(',')}
            data-model-url={model.url}
            onKeyDown={onKeyDown}
            onClick={onClick}
            onMouseOver={onHover}
            onMouseLeave={() => hoverToken(undefined)}
          >
            {Array.from(slice, (code, p) => {
              const t = layout.tokenOffsets[si] + p;
              const row = Math.floor(p / s);
              const col = p % s;
              const isSelected = t === selected;
              const same = selectedCode !== undefined && code === selectedCode && !isSelected;
              const edited = model.edits.has(t);
              const focusable = selectedPos?.scaleIndex === si ? isSelected : p === 0;
              return (
                <TokenCell
                  key={p}
                  token={t}
                  code={code}
                  row={row}
                  col={col}
                  colour={tokenCss(colours, code)}
                  selected={isSelected}
                  sameCode={same}
                  editedFrom={edited ? model.edits.get(t) : undefined}
                  focusable={focusable}
                />
              );
            })}
          </div>
        </FocusKeeper>
      ) : (
        <p className="note">
          The pasted tokens do not cover scale {s}×{s}.
        </p>
      )}
    </div>
  );
}

interface CellProps {
  readonly token: number;
  readonly code: number;
  readonly row: number;
  readonly col: number;
  readonly colour: string;
  readonly selected: boolean;
  readonly sameCode: boolean;
  /** The encoder's code when this token was edited by hand. */
  readonly editedFrom?: number;
  readonly focusable: boolean;
}

/** One token; memoised so selecting a token re-renders the few cells whose marks change. */
const TokenCell = memo(function TokenCell({
  token,
  code,
  row,
  col,
  colour,
  selected,
  sameCode,
  editedFrom,
  focusable,
}: CellProps) {
  const edited = editedFrom !== undefined;
  return (
    <button
      type="button"
      className={`token${selected ? ' selected' : ''}${sameCode ? ' same-code' : ''}${edited ? ' edited' : ''}`}
      style={{ background: colour }}
      title={`index ${code} · row ${row}, column ${col}${edited ? ` (edited; was ${editedFrom})` : ''}`}
      aria-label={`row ${row}, column ${col}: index ${code}`}
      aria-pressed={selected}
      tabIndex={focusable ? 0 : -1}
      data-token={token}
      data-index={code}
      data-row={row}
      data-col={col}
    />
  );
});

/** Keeps keyboard focus on the selected cell when arrow keys move the selection. */
function FocusKeeper({
  gridRef,
  selected,
  children,
}: {
  readonly gridRef: React.RefObject<HTMLDivElement | null>;
  readonly selected?: number;
  readonly children: React.ReactNode;
}) {
  useEffect(() => {
    const grid = gridRef.current;
    if (!grid || selected === undefined || !grid.contains(document.activeElement)) return;
    grid.querySelector<HTMLButtonElement>(`[data-token="${selected}"]`)?.focus();
  }, [gridRef, selected]);
  return <>{children}</>;
}
