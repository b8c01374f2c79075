/**
 * Before/after: the crop on the left of the handle, a chosen result (any reconstruction, the
 * pinned one, a depth of the strip) on the right; the range input moves the handle, so it works
 * with the keyboard too.
 */
import { useState } from 'react';
import { setCompareWith } from '../actions/compare-view.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import type { CompareChoice } from '../logic/compare-choices.ts';
import { RgbCanvas } from './RgbCanvas.tsx';
import { TokenOverlay } from './TokenOverlay.tsx';

export function CompareSlider({
  before,
  choices,
  chosen,
}: {
  readonly before: RgbImage;
  readonly choices: readonly CompareChoice[];
  readonly chosen: CompareChoice;
}) {
  const [at, setAt] = useState(50);
  return (
    <figure className="compare" data-testid="compare" data-after={chosen.key} data-position={at}>
      <div className="compare-stage">
        <RgbCanvas image={before} label="the crop the model saw" className="pixelated" testId="compare-before" />
        <div className="compare-after" style={{ clipPath: `inset(0 0 0 ${at}%)` }}>
          <RgbCanvas image={chosen.image} label={chosen.label} className="pixelated" testId="compare-after" />
        </div>
        <div className="compare-handle" style={{ left: `${at}%` }} aria-hidden="true" />
        <TokenOverlay size={before.width} name="compare" />
      </div>
      <figcaption>
        <label htmlFor="compare-position" className="visually-hidden">
          Slider position between the crop and the result
        </label>
        <input
          id="compare-position"
          type="range"
          min={0}
          max={100}
          value={at}
          onChange={(e) => setAt(Number(e.target.value))}
          aria-valuetext={`${at}% crop, ${100 - at}% result`}
        />
        <span className="compare-labels">
          <span>◀ crop</span>
          <span>
            <label htmlFor="compare-with">result ▶ </label>
            <select id="compare-with" value={chosen.key} onChange={(e) => setCompareWith(e.target.value)}>
              {choices.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.label}
                </option>
              ))}
            </select>
          </span>
        </span>
      </figcaption>
    </figure>
  );
}
