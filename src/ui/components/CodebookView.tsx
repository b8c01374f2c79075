/**
 * How this image (and this session) uses the codebook: distinct codes, a map of all K codes
 * (lit where used), the most used codes, and for a chosen code the crop patches whose tokens
 * chose it, at whatever scale; a patch selects its token.
 */
import { useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { codebookUsage } from '../../core/metrics/codebook-usage.ts';
import { chooseCode, selectToken, setScaleIndex } from '../actions/select-token.ts';
import type { CodeColours } from '../logic/code-colours.ts';
import { topCodes } from '../logic/code-usage.ts';
import { describePosition, flatIndex, occurrencesOf } from '../logic/token-layout.ts';
import { count } from '../logic/plural.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import { CropPatch, useCropBitmap } from './CropPatch.tsx';
import { tokenCss, tokenRgb } from './token-colour.ts';

const MAP_COLUMNS = 256;
const PATCH_PX = 64;
const MAX_PATCHES = 48;

function UsageMap({
  K,
  tokens,
  colours,
}: {
  readonly K: number;
  readonly tokens: Int32Array;
  readonly colours?: CodeColours;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const cols = Math.min(MAP_COLUMNS, K);
  const rows = Math.ceil(K / cols);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols, rows);
    img.data.fill(0);
    for (let k = 0; k < K; k++) {
      img.data[k * 4] = 40;
      img.data[k * 4 + 1] = 40;
      img.data[k * 4 + 2] = 48;
      img.data[k * 4 + 3] = 255;
    }
    for (const k of tokens) {
      const [r, g, b] = tokenRgb(colours, k);
      img.data.set([Math.max(r, 60), Math.max(g, 60), Math.max(b, 60), 255], k * 4);
    }
    ctx.putImageData(img, 0, 0);
  }, [K, tokens, colours, cols, rows]);
  return (
    <canvas
      ref={ref}
      width={cols}
      height={rows}
      className="usage-map pixelated"
      role="img"
      aria-label={`all ${K} codes, ${cols} per row; lit where this image uses them`}
    />
  );
}

export function CodebookView() {
  // Deferred: a new encode re-renders this in interruptible background work, not in one long task.
  const model = useDeferredValue(usePlayground(activeModel));
  const chosen = usePlayground((s) => s.chosenCode);
  const selected = usePlayground((s) => s.selected);
  const colourBy = usePlayground((s) => s.colourBy);
  const tokens = model?.tokens;
  const K = model?.manifest?.codebookSize ?? 0;
  const usage = useMemo(() => (tokens && K ? codebookUsage(tokens, K) : undefined), [tokens, K]);
  const top = useMemo(() => (tokens ? topCodes(tokens, 24) : []), [tokens]);
  const layout = model?.layout;
  const crop = useCropBitmap(model?.tokenSource !== 'pasted' ? model?.encoded?.crop.image : undefined);
  if (!model || !tokens || !layout || !usage) return null;
  const colours = model.colours[colourBy];
  const code = chosen ?? (selected !== undefined && selected < tokens.length ? tokens[selected] : top[0]?.code);
  const where = code === undefined ? [] : occurrencesOf(layout, tokens, code);
  const session = model.session;
  return (
    <section className="panel codebook" id="codebook" aria-labelledby="codebook-title" data-testid="codebook">
      <h2 id="codebook-title">Codebook usage</h2>
      <p data-testid="usage" data-distinct={usage.distinct}>
        This image uses <strong>{usage.distinct}</strong> distinct code{usage.distinct === 1 ? '' : 's'} of K ={' '}
        {K.toLocaleString('en')} ({(usage.usage * 100).toFixed(2)}%) over {count(usage.tokens, 'token')}.
        {session && (
          <>
            {' '}
            This session: {count(session.encodes, 'encode')}, {count(session.distinct, 'distinct code')} over{' '}
            {count(session.tokens, 'token')}, perplexity {session.perplexity.toFixed(0)}.
          </>
        )}
      </p>
      <UsageMap K={K} tokens={tokens} colours={colours} />
      <h3>Most used codes in this image</h3>
      <div className="top-codes" role="group" aria-label="Most used codes">
        {top.map((c) => (
          <button
            key={c.code}
            type="button"
            className={c.code === code ? 'current' : undefined}
            onClick={() => chooseCode(c.code)}
            aria-pressed={c.code === code}
            data-code={c.code}
          >
            <span className="swatch" style={{ background: tokenCss(colours, c.code) }} /> {c.code}{' '}
            <span className="count">×{c.count}</span>
          </button>
        ))}
      </div>
      {code !== undefined && (
        <div className="patches" data-testid="patches" data-code={code} data-count={where.length}>
          <h3>
            Code {code}: {count(where.length, 'token')}
            {crop ? ', and the crop patches they summarise' : ''}
          </h3>
          <ul>
            {where.slice(0, MAX_PATCHES).map((p) => (
              <li key={`${p.scaleIndex}-${p.row}-${p.col}`}>
                <button
                  type="button"
                  className={`patch-button${flatIndex(layout, p) === selected ? ' current' : ''}`}
                  onClick={() => {
                    setScaleIndex(p.scaleIndex);
                    selectToken(flatIndex(layout, p));
                  }}
                  aria-label={`Select the token at ${describePosition(layout, p)}`}
                >
                  {crop && <CropPatch crop={crop} layout={layout} position={p} px={PATCH_PX} />}
                  <span>{describePosition(layout, p)}</span>
                </button>
              </li>
            ))}
          </ul>
          {where.length > MAX_PATCHES && <p className="note">…and {where.length - MAX_PATCHES} more.</p>}
        </div>
      )}
    </section>
  );
}
