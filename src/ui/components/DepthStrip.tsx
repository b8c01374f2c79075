/**
 * Every depth 1…n of the active model's tokens (actions/depth-strip.ts), PSNR under each; a depth sets the
 * depth slider, or in the before/after view what the crop is compared with.
 */
import { setCompareWith } from '../actions/compare-view.ts';
import { decodeEveryDepth, decodesUnasked } from '../actions/depth-strip.ts';
import { setReconScales } from '../actions/reconstruct.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import { RgbCanvas } from './RgbCanvas.tsx';

export function DepthStrip() {
  const strip = usePlayground((s) => s.depthStrip);
  const model = usePlayground(activeModel);
  const view = usePlayground((s) => s.resultView);
  const compareWith = usePlayground((s) => s.compareWith);
  const k =
    view === 'slider' && compareWith?.startsWith('depth:') ? Number(compareWith.slice(6)) : model?.recon?.scalesUsed;
  const layout = model?.layout;
  if (!strip || !layout || strip.modelId !== model.id || strip.tokens !== model.tokens) return null;
  const n = strip.depths.length;
  return (
    <div
      className="depth-strip"
      data-testid="depth-strip"
      data-decoded={strip.depths.filter(Boolean).length}
      role="group"
      aria-label="Reconstruction at every depth"
    >
      <h3>Every depth: scales 1…k</h3>
      <ol>
        {strip.depths.map((d, i) => (
          <li key={i}>
            <button
              type="button"
              className={i + 1 === k ? 'current' : undefined}
              aria-pressed={i + 1 === k}
              onClick={() => {
                // In the slider the depth goes against the crop; side by side it becomes the reconstruction shown.
                if (view === 'slider' && d) setCompareWith(`depth:${i + 1}`);
                else void setReconScales(i + 1 === layout.scales.length ? undefined : i + 1);
              }}
              aria-label={`Decode scales 1 to ${i + 1}${d?.psnr !== undefined ? `, PSNR ${d.psnr.toFixed(1)} dB` : ''}`}
              data-k={i + 1}
              data-psnr={d?.psnr ?? ''}
            >
              {d ? (
                <RgbCanvas image={d.image} label="" className="pixelated" />
              ) : (
                <span className="depth-pending" aria-hidden="true" />
              )}
              <span className="depth-label">
                k={i + 1}{' '}
                <small>
                  ({layout.scales[i]}×{layout.scales[i]})
                </small>
                <br />
                {d?.psnr !== undefined ? `${d.psnr.toFixed(1)} dB` : d ? '' : '…'}
              </span>
            </button>
          </li>
        ))}
      </ol>
      {strip.depths.some((d) => !d) &&
        (decodesUnasked(model.manifest?.outputSize) ? (
          <p className="note">
            Decoding depth {strip.depths.findIndex((d) => !d) + 1} of {n}…
          </p>
        ) : (
          <p className="note">
            <button type="button" onClick={decodeEveryDepth}>
              Decode every depth
            </button>{' '}
            ({n} decoder runs of about {Math.round(model.recon?.result.timings.decoderMs ?? 0)} ms each; a new photo,
            depth or token edit stops the one under way)
          </p>
        ))}
    </div>
  );
}
