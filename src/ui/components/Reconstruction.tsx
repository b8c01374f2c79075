/**
 * Reconstructions after the first k scales, per loaded model: the crop the model saw, the
 * decoder's image and where they differ, with PSNR and SSIM (standard, and the official
 * evaluation's variant, labelled). The three views zoom together and scroll together.
 */
import { useEffect, useMemo, useRef } from 'react';
import { scalesFor, setReconScales } from '../actions/reconstruct.ts';
import { setZoom } from '../actions/select-token.ts';
import { differenceMap } from '../logic/difference-heatmap.ts';
import { scalesCovered } from '../logic/token-layout.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import type { ModelView } from '../state/types.ts';
import { RgbCanvas } from './RgbCanvas.tsx';

const ZOOMS = [1, 2, 4];
const DIFF_GAIN = 4;

function fmt(x: number, digits: number): string {
  return x === Infinity ? '∞' : x.toFixed(digits);
}

function ModelReconstruction({ m, k, zoom }: { readonly m: ModelView; readonly k: number | undefined; readonly zoom: number }) {
  const recon = m.recon;
  const crop = recon && recon.from !== 'pasted' ? m.encoded?.crop.image : undefined;
  const reconImage = useMemo(() => (recon ? { width: recon.result.outputSize, height: recon.result.outputSize, data: recon.result.imageU8 } : undefined), [recon]);
  const diff = useMemo(() => (crop && reconImage && crop.width === reconImage.width ? differenceMap(crop, reconImage, DIFF_GAIN) : undefined), [crop, reconImage]);
  const n = m.layout?.scales.length ?? 0;
  const want = scalesFor(m, k);
  const name = m.manifest?.name ?? m.url;
  if (m.phase !== 'ready') return null;
  const style = reconImage ? { width: reconImage.width * zoom, height: reconImage.height * zoom } : undefined;
  const health = recon?.result.health;
  const unhealthy = health && (health.nan > 0 || health.posInf > 0 || health.negInf > 0);
  return (
    <article className="recon-model" data-testid="recon" data-model-url={m.url} data-scales-used={recon?.scalesUsed ?? ''} data-phase={m.reconPhase}>
      <h3>
        {name}
        <span className="note">
          {' '}
          — {recon ? `scales 1…${recon.scalesUsed} of ${n}` : ''}
          {recon && recon.scalesUsed !== want && m.reconPhase === 'running' ? ` (decoding ${want}…)` : ''}
          {recon?.from === 'edited' ? ', with edited tokens' : recon?.from === 'pasted' ? ', from pasted tokens' : ''}
        </span>
      </h3>
      {m.reconError && (
        <p className="error" role="alert">
          Decoding failed: {m.reconError}
        </p>
      )}
      {!recon && m.encodePhase === 'running' && <p aria-live="polite">Tokenizing…</p>}
      {!recon && m.reconPhase === 'running' && <p aria-live="polite">Decoding…</p>}
      {recon && reconImage && (
        <div className="recon-row">
          {crop && (
            <figure>
              <div className="zoom-pane" data-zoom-pane>
                <RgbCanvas image={crop} label={`the ${crop.width}×${crop.height} crop the model saw`} className="pixelated" style={style} testId="recon-crop" />
              </div>
              <figcaption>Original crop</figcaption>
            </figure>
          )}
          <figure>
            <div className="zoom-pane" data-zoom-pane>
              <RgbCanvas image={reconImage} label={`reconstruction from scales 1 to ${recon.scalesUsed}`} className="pixelated" style={style} testId="recon-image" />
            </div>
            <figcaption>Reconstruction ({recon.scalesUsed} scales)</figcaption>
          </figure>
          {diff && (
            <figure>
              <div className="zoom-pane" data-zoom-pane>
                <RgbCanvas rgba={{ width: diff.width, height: diff.height, data: diff.rgba }} label="difference heatmap" className="pixelated" style={style} testId="recon-diff" />
              </div>
              <figcaption>
                |difference| ×{diff.gain} (mean {diff.meanAbs.toFixed(1)}, max {diff.maxAbs} levels)
              </figcaption>
            </figure>
          )}
        </div>
      )}
      {recon?.metrics && (
        <dl
          className="metrics"
          data-testid="metrics"
          data-psnr={recon.metrics.psnr}
          data-ssim={recon.metrics.ssim}
          data-official-psnr={recon.metrics.officialPsnr}
          data-official-ssim={recon.metrics.officialSsim}
        >
          <div>
            <dt>PSNR</dt>
            <dd>{fmt(recon.metrics.psnr, 2)} dB</dd>
          </div>
          <div>
            <dt>SSIM</dt>
            <dd title="Gaussian window σ = 1.5, data range 255 (Wang et al. 2004)">{fmt(recon.metrics.ssim, 4)}</dd>
          </div>
          <div>
            <dt title="reconstruction_vq_ddp.py: skimage on [0,1] float images">PSNR (official eval)</dt>
            <dd>{fmt(recon.metrics.officialPsnr, 2)} dB</dd>
          </div>
          <div>
            <dt title="reconstruction_vq_ddp.py passes data_range=2.0 for [0,1] images with skimage's 7×7 uniform window, which inflates SSIM; shown so numbers compare with published ones">
              SSIM (official eval, inflated)
            </dt>
            <dd>{fmt(recon.metrics.officialSsim, 4)}</dd>
          </div>
        </dl>
      )}
      {unhealthy && (
        <p className="error">
          The decoder output holds {health.nan} NaN and {health.posInf + health.negInf} infinite values (shown black, as the official uint8 conversion does).
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

export function Reconstruction() {
  const models = usePlayground((s) => s.models);
  const main = usePlayground(activeModel);
  const k = usePlayground((s) => s.reconScales);
  const zoom = usePlayground((s) => s.zoom);
  const ref = useRef<HTMLElement>(null);
  useSyncedScroll(ref);
  const layout = main?.layout;
  if (!main || !layout || !main.tokens) {
    return (
      <section className="panel reconstruction" aria-labelledby="recon-title" ref={ref}>
        <h2 id="recon-title">Reconstruction</h2>
        <p className="note">The reconstruction appears once a model has tokenized an image (or decoded pasted tokens).</p>
      </section>
    );
  }
  const covered = scalesCovered(layout, main.tokens.length);
  const value = Math.min(k ?? covered, covered);
  return (
    <section className="panel reconstruction" aria-labelledby="recon-title" ref={ref}>
      <h2 id="recon-title">Reconstruction</h2>
      <div className="row controls">
        <label htmlFor="recon-scales">
          Decode scales 1…<strong data-testid="recon-k">{value}</strong> (up to {layout.scales[value - 1]}×{layout.scales[value - 1]})
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
        <label htmlFor="zoom">Zoom</label>
        <select id="zoom" value={zoom} onChange={(e) => setZoom(Number(e.target.value))}>
          {ZOOMS.map((z) => (
            <option key={z} value={z}>
              {z}×
            </option>
          ))}
        </select>
      </div>
      {models.map((m) => (
        <ModelReconstruction key={m.id} m={m} k={k} zoom={zoom} />
      ))}
    </section>
  );
}
