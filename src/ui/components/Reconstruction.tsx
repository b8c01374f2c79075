/**
 * The results, first on the page: per loaded model the crop the model saw, the decoder's image
 * after the first k scales and where they differ, large, with PSNR and SSIM (standard, and the
 * official evaluation's variant, labelled), the selected and hovered token outlined on each; or
 * one before/after slider. Below: every depth at once and the pinned result. The three views zoom
 * together and scroll together.
 */
import { useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { setCompareWith, setResultView } from '../actions/compare-view.ts';
import { pinResult, unpinResult } from '../actions/pin-result.ts';
import { scalesFor, setReconScales } from '../actions/reconstruct.ts';
import { setGridOverlay, setZoom } from '../actions/select-token.ts';
import { compareChoices, resolveCompare } from '../logic/compare-choices.ts';
import { differenceMap } from '../logic/difference-heatmap.ts';
import { count } from '../logic/plural.ts';
import { scalesCovered } from '../logic/token-layout.ts';
import type { Metrics } from '../logic/reconstruction-metrics.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import type { ModelView } from '../state/types.ts';
import { CompareSlider } from './CompareSlider.tsx';
import { DepthStrip } from './DepthStrip.tsx';
import { InfoTip } from './InfoTip.tsx';
import { RgbCanvas } from './RgbCanvas.tsx';
import { TokenOverlay } from './TokenOverlay.tsx';
import type { RgbImage } from '../../core/image/rgb-image.ts';

const ZOOMS = [1, 2, 4];
const DIFF_GAIN = 4;

function fmt(x: number, digits: number): string {
  return x === Infinity ? '∞' : x.toFixed(digits);
}

/** One image of the row: zoomable pane, the picture, and (for the model whose tokens are shown) the token overlay. */
function Pane({
  children,
  size,
  zoom,
  overlay,
  caption,
}: {
  readonly children: React.ReactNode;
  readonly size: number;
  readonly zoom: number;
  readonly overlay?: string;
  readonly caption: React.ReactNode;
}) {
  return (
    <figure>
      <div className="zoom-pane" data-zoom-pane>
        <div className="zoom-content" style={{ width: `${zoom * 100}%` }}>
          {children}
          {overlay && <TokenOverlay size={size} name={overlay} />}
        </div>
      </div>
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

function MetricsLine({ metrics }: { readonly metrics: Metrics }) {
  return (
    <dl
      className="metrics"
      data-testid="metrics"
      data-psnr={metrics.psnr}
      data-ssim={metrics.ssim}
      data-official-psnr={metrics.officialPsnr}
      data-official-ssim={metrics.officialSsim}
    >
      <div>
        <dt>PSNR</dt>
        <dd>{fmt(metrics.psnr, 2)} dB</dd>
      </div>
      <div>
        <dt>SSIM</dt>
        <dd>{fmt(metrics.ssim, 4)}</dd>
      </div>
      <div className="official">
        <dt>official eval: PSNR</dt>
        <dd>{fmt(metrics.officialPsnr, 2)} dB</dd>
      </div>
      <div className="official">
        <dt>SSIM (inflated)</dt>
        <dd>
          {fmt(metrics.officialSsim, 4)}{' '}
          <InfoTip label="the metrics">
            PSNR and SSIM compare the uint8 reconstruction with the uint8 crop (data range 255; SSIM with a Gaussian
            window, σ = 1.5, Wang et al. 2004). The official evaluation (reconstruction_vq_ddp.py) uses skimage on [0,
            1] float images and passes data_range = 2.0 with a 7×7 uniform window, which inflates SSIM; it is shown so
            numbers compare with published ones.
          </InfoTip>
        </dd>
      </div>
    </dl>
  );
}

function ModelResult({
  m: latest,
  k,
  zoom,
  active,
}: {
  readonly m: ModelView;
  readonly k: number | undefined;
  readonly zoom: number;
  readonly active: boolean;
}) {
  // Deferred: a result from the worker is drawn (difference map, canvases) in interruptible
  // background work, not in the one long task that handles the worker's message.
  const m = useDeferredValue(latest);
  const recon = m.recon;
  const crop = m.tokenSource !== 'pasted' ? m.encoded?.crop.image : undefined;
  const reconImage = useMemo<RgbImage | undefined>(
    () =>
      recon
        ? { width: recon.result.outputSize, height: recon.result.outputSize, data: recon.result.imageU8 }
        : undefined,
    [recon],
  );
  const diff = useMemo(
    () =>
      crop && reconImage && crop.width === reconImage.width ? differenceMap(crop, reconImage, DIFF_GAIN) : undefined,
    [crop, reconImage],
  );
  // One pixels object per difference map: a new one on every render would repaint the canvas each time.
  const diffPixels = useMemo(() => diff && { width: diff.width, height: diff.height, data: diff.rgba }, [diff]);
  const view = usePlayground((s) => s.resultView);
  const compareWith = usePlayground((s) => s.compareWith);
  const models = usePlayground((s) => s.models);
  const pinned = usePlayground((s) => s.pinned);
  const strip = usePlayground((s) => s.depthStrip);
  const choices = useMemo(() => compareChoices({ models, pinned, depthStrip: strip }), [models, pinned, strip]);
  const n = m.layout?.scales.length ?? 0;
  const want = scalesFor(m, k);
  const name = m.manifest?.name ?? m.url;
  if (m.phase !== 'ready') return null;
  const health = recon?.result.health;
  const unhealthy = health && (health.nan > 0 || health.posInf > 0 || health.negInf > 0);
  const decoding = m.reconPhase === 'running';
  const size = crop?.width ?? reconImage?.width ?? m.manifest?.outputSize ?? 1;
  const chosen = resolveCompare(choices, compareWith, `recon:${m.id}`);
  return (
    <article
      className="recon-model"
      data-testid="recon"
      data-model-url={m.url}
      data-scales-used={recon?.scalesUsed ?? ''}
      data-phase={m.reconPhase}
    >
      <h3>
        {name}
        <span className="note">
          {' '}
          — {recon ? `scales 1…${recon.scalesUsed} of ${n}` : ''}
          {decoding && (!recon || recon.scalesUsed !== want) ? ` (decoding ${want}…)` : ''}
          {recon?.from === 'edited' ? ', with edited tokens' : recon?.from === 'pasted' ? ', from pasted tokens' : ''}
        </span>
      </h3>
      {m.reconError && (
        <p className="error" role="alert">
          Decoding failed: {m.reconError}
        </p>
      )}
      {active && view === 'slider' && crop && chosen ? (
        <div className="recon-row slider-view">
          <CompareSlider before={crop} choices={choices} chosen={chosen} />
          {diff && (
            <Pane
              size={size}
              zoom={1}
              overlay={active ? 'diff' : undefined}
              caption={<>|difference| ×{diff.gain} of the current reconstruction</>}
            >
              <RgbCanvas rgba={diffPixels} label="difference heatmap" className="pixelated" testId="recon-diff" />
            </Pane>
          )}
        </div>
      ) : (
        <div className="recon-row">
          <Pane
            size={size}
            zoom={zoom}
            overlay={active && crop ? 'crop' : undefined}
            caption={crop ? `Original crop (${crop.width}×${crop.height})` : 'Original crop'}
          >
            {crop ? (
              <RgbCanvas
                image={crop}
                label={`the ${crop.width}×${crop.height} crop the model saw`}
                className="pixelated"
                testId="recon-crop"
              />
            ) : (
              <div className="placeholder">
                {m.tokenSource === 'pasted'
                  ? 'pasted tokens: no image'
                  : m.encodePhase === 'running'
                    ? 'Tokenizing…'
                    : 'no image yet'}
              </div>
            )}
          </Pane>
          <Pane
            size={size}
            zoom={zoom}
            overlay={active && reconImage ? 'recon' : undefined}
            caption={
              recon
                ? `Reconstruction (${count(recon.scalesUsed, 'scale')})${decoding ? ' — decoding…' : ''}`
                : 'Reconstruction'
            }
          >
            {reconImage ? (
              <RgbCanvas
                image={reconImage}
                label={`reconstruction from scales 1 to ${recon!.scalesUsed}`}
                className={`pixelated${decoding ? ' stale' : ''}`}
                testId="recon-image"
              />
            ) : (
              <div className="placeholder" aria-live="polite">
                {m.encodePhase === 'running' ? 'Tokenizing…' : decoding ? 'Decoding…' : ''}
              </div>
            )}
          </Pane>
          <Pane
            size={size}
            zoom={zoom}
            overlay={active && diff ? 'diff' : undefined}
            caption={
              diff ? (
                <>
                  |difference| ×{diff.gain} (mean {diff.meanAbs.toFixed(1)}, max {diff.maxAbs} levels)
                </>
              ) : (
                'Difference'
              )
            }
          >
            {diff ? (
              <RgbCanvas rgba={diffPixels} label="difference heatmap" className="pixelated" testId="recon-diff" />
            ) : (
              <div className="placeholder" />
            )}
          </Pane>
        </div>
      )}
      {recon?.metrics && <MetricsLine metrics={recon.metrics} />}
      {unhealthy && (
        <p className="error">
          The decoder output holds {health.nan} NaN and {health.posInf + health.negInf} infinite values (shown black, as
          the official uint8 conversion does).
        </p>
      )}
    </article>
  );
}

/** Mirrors the scroll position of every [data-zoom-pane] inside `root` onto the others. */
function useSyncedScroll(root: React.RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    let syncing = false;
    const onScroll = (e: Event) => {
      const src = e.target as HTMLElement;
      if (syncing || !src.hasAttribute?.('data-zoom-pane')) return;
      syncing = true;
      for (const pane of el.querySelectorAll<HTMLElement>('[data-zoom-pane]')) {
        if (pane !== src) {
          pane.scrollLeft = src.scrollLeft;
          pane.scrollTop = src.scrollTop;
        }
      }
      syncing = false;
    };
    el.addEventListener('scroll', onScroll, true);
    return () => el.removeEventListener('scroll', onScroll, true);
  }, [root]);
}

function Pinned() {
  const pinned = usePlayground((s) => s.pinned);
  const current = usePlayground((s) => activeModel(s)?.recon?.metrics);
  if (!pinned) return null;
  const delta = pinned.metrics && current ? current.psnr - pinned.metrics.psnr : undefined;
  return (
    <div className="pinned" data-testid="pinned" data-psnr={pinned.metrics?.psnr ?? ''}>
      <RgbCanvas image={pinned.image} label={`pinned reconstruction: ${pinned.label}`} className="pixelated" />
      <div>
        <h3>Pinned</h3>
        <p>{pinned.label}</p>
        {pinned.metrics && (
          <p>
            PSNR {fmt(pinned.metrics.psnr, 2)} dB, SSIM {fmt(pinned.metrics.ssim, 4)}
            {delta !== undefined && (
              <strong data-testid="pinned-delta">
                {' '}
                · now {delta >= 0 ? '+' : '−'}
                {Math.abs(delta).toFixed(2)} dB
              </strong>
            )}
          </p>
        )}
        <div className="row">
          <button
            type="button"
            onClick={() => {
              setResultView('slider');
              setCompareWith('pinned');
            }}
          >
            Compare in the slider
          </button>
          <button type="button" onClick={unpinResult}>
            Unpin
          </button>
        </div>
      </div>
    </div>
  );
}

export function Reconstruction() {
  const models = usePlayground((s) => s.models);
  const main = usePlayground(activeModel);
  const k = usePlayground((s) => s.reconScales);
  const zoom = usePlayground((s) => s.zoom);
  const view = usePlayground((s) => s.resultView);
  const grid = usePlayground((s) => s.gridOverlay);
  const ref = useRef<HTMLElement>(null);
  useSyncedScroll(ref);
  const layout = main?.layout;
  if (!main || !layout || (!main.tokens && main.encodePhase !== 'running')) {
    return (
      <section className="panel results reconstruction" id="results" aria-labelledby="recon-title" ref={ref}>
        <h2 id="recon-title">Results</h2>
        <div className="recon-row">
          {['Original crop', 'Reconstruction', 'Difference'].map((c) => (
            <figure key={c}>
              <div className="zoom-pane">
                <div className="placeholder">{main?.phase === 'loading' ? 'loading the model…' : 'give an image'}</div>
              </div>
              <figcaption>{c}</figcaption>
            </figure>
          ))}
        </div>
      </section>
    );
  }
  const covered = main.tokens ? scalesCovered(layout, main.tokens.length) : layout.scales.length;
  const value = Math.min(k ?? covered, covered);
  return (
    <section className="panel results reconstruction" id="results" aria-labelledby="recon-title" ref={ref}>
      <div className="results-head">
        <h2 id="recon-title">Results</h2>
        <div className="row controls">
          <label htmlFor="recon-scales">
            Decode scales 1…<strong data-testid="recon-k">{value}</strong> (up to {layout.scales[value - 1]}×
            {layout.scales[value - 1]})
          </label>
          <input
            id="recon-scales"
            type="range"
            min={1}
            max={covered}
            step={1}
            value={value}
            list="recon-scale-ticks"
            onChange={(e) => {
              const v = Number(e.target.value);
              void setReconScales(v === layout.scales.length ? undefined : v);
            }}
            aria-valuetext={`${value} of ${covered} scales, up to ${layout.scales[value - 1]} by ${layout.scales[value - 1]}`}
          />
          <datalist id="recon-scale-ticks">
            {layout.scales.slice(0, covered).map((s, i) => (
              <option key={i} value={i + 1} label={String(s)} />
            ))}
          </datalist>
          <span className="segmented" role="group" aria-label="How to show the results">
            <button type="button" aria-pressed={view === 'side-by-side'} onClick={() => setResultView('side-by-side')}>
              Side by side
            </button>
            <button type="button" aria-pressed={view === 'slider'} onClick={() => setResultView('slider')}>
              Slider
            </button>
          </span>
          <label className="check">
            <input type="checkbox" checked={grid} onChange={(e) => setGridOverlay(e.target.checked)} /> token grid
          </label>
          <label htmlFor="zoom">Zoom</label>
          <select id="zoom" value={zoom} onChange={(e) => setZoom(Number(e.target.value))}>
            {ZOOMS.map((z) => (
              <option key={z} value={z}>
                {z}×
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={pinResult}
            disabled={!main.recon}
            title="Keep this result to compare with after changing the weights or editing tokens"
          >
            Pin this result
          </button>
        </div>
      </div>
      {models.map((m) => (
        <ModelResult key={m.id} m={m} k={k} zoom={zoom} active={m.id === main.id} />
      ))}
      <Pinned />
      <DepthStrip />
    </section>
  );
}
