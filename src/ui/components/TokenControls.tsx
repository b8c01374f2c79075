/**
 * Controls over how tokens are chosen and shown: which model's tokens, colour by which
 * codebook, and (beyond the paper) the semantic/pixel distance weights.
 */
import { setActiveModel, setColourBy } from '../actions/load-model.ts';
import { setGridOverImage } from '../actions/select-token.ts';
import { setWeights } from '../actions/set-weights.ts';
import { balanceOf, isReleasedWeighting, weightsFromBalance } from '../logic/weights.ts';
import type { CodebookName } from '../logic/code-colours.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import { InfoTip } from './InfoTip.tsx';

export function TokenControls() {
  const models = usePlayground((s) => s.models);
  const active = usePlayground((s) => activeModel(s)?.id);
  const colourBy = usePlayground((s) => s.colourBy);
  const overImage = usePlayground((s) => s.gridOverImage);
  const weights = usePlayground((s) => s.weights);
  const colours = usePlayground((s) => activeModel(s)?.colours[s.colourBy]);
  const released = isReleasedWeighting(weights);
  const ready = models.filter((m) => m.phase === 'ready');
  return (
    <div className="token-controls">
      {ready.length > 1 && (
        <div className="row">
          <label htmlFor="active-model">Tokens of</label>
          <select id="active-model" value={active} onChange={(e) => setActiveModel(Number(e.target.value))}>
            {ready.map((m) => (
              <option key={m.id} value={m.id}>
                {m.manifest?.name ?? m.url}
              </option>
            ))}
          </select>
        </div>
      )}
      <label className="check">
        <input type="checkbox" checked={overImage} onChange={(e) => setGridOverImage(e.target.checked)} /> show the
        image through the tokens
      </label>
      <fieldset className="row">
        <legend>Colour tokens by their</legend>
        {(['pixel', 'semantic'] as const).map((c: CodebookName) => (
          <label key={c}>
            <input
              type="radio"
              name="colour-by"
              value={c}
              checked={colourBy === c}
              onChange={() => void setColourBy(c)}
            />{' '}
            {c} code
          </label>
        ))}
        <span className="note">
          {colours
            ? `(first 3 principal components: ${(colours.explained.reduce((a, b) => a + b, 0) * 100).toFixed(0)}% of the variance)`
            : '(computing colours…)'}{' '}
          <InfoTip label="the token colours">
            Each code's vector is projected on the codebook's first three principal components, one per RGB channel:
            equal codes look equal, similar codes look similar. The colours say which tokens share a code, not what the
            image looks like there — hover or select a token to see its place on the images.
          </InfoTip>
        </span>
      </fieldset>
      <div className="row weights">
        <label htmlFor="weight-balance">
          Distance weights: semantic <strong data-testid="weight-semantic">{weights.semantic}</strong> : pixel{' '}
          <strong data-testid="weight-pixel">{weights.pixel}</strong>
        </label>
        <input
          id="weight-balance"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={balanceOf(weights)}
          onChange={(e) => setWeights(weightsFromBalance(Number(e.target.value)))}
          aria-valuetext={`semantic ${weights.semantic}, pixel ${weights.pixel}`}
        />
        <span className="note">
          {released
            ? 'released code: 1:1'
            : 'not the released 1:1 weighting (the paper describes weights; the code fixes 1:1)'}
        </span>
        {!released && (
          <button type="button" onClick={() => setWeights({ semantic: 1, pixel: 1 })}>
            Back to 1:1
          </button>
        )}
      </div>
    </div>
  );
}
