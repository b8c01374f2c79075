/** The loaded models: honest names, download progress, backend and why, timings; add/remove. */
import { useState } from 'react';
import { addModel, removeModel, setActiveModel } from '../actions/load-model.ts';
import { setBackend } from '../actions/set-backend.ts';
import { bitsPerImage } from '../logic/token-layout.ts';
import { MAX_MODELS, type BackendParam } from '../logic/url-state.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import type { ModelView } from '../state/types.ts';
import { LocalModels } from './LocalModels.tsx';
import { FileProgressBar, formatBytes } from './ProgressBar.tsx';

const ms = (x: number | undefined) => (x === undefined ? '–' : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);

function ModelCard({
  m,
  active,
  canSwitch,
}: {
  readonly m: ModelView;
  readonly active: boolean;
  readonly canSwitch: boolean;
}) {
  const man = m.manifest;
  return (
    <article
      className={`model-card${active ? ' active' : ''}`}
      data-testid="model-card"
      data-model-url={m.url}
      data-phase={m.phase}
      data-backend={m.choice?.backend ?? ''}
    >
      <header>
        <h3>{man ? man.name : m.url}</h3>
        <div className="card-actions">
          {canSwitch && !active && m.phase === 'ready' && (
            <button type="button" onClick={() => setActiveModel(m.id)}>
              Show its tokens
            </button>
          )}
          <button type="button" onClick={() => removeModel(m.id)} aria-label={`Remove ${man?.name ?? m.url}`}>
            Remove
          </button>
        </div>
      </header>
      {man?.description && <p className="model-description">{man.description}</p>}
      {man && (
        <p className="model-url">
          <code>{m.url}</code>
        </p>
      )}
      {man && (
        <p className="model-facts">
          {man.variant === 'clip' ? 'CLIP' : 'SigLIP'} variant, {man.inputSize}px input, {man.scales.length} scales (
          {man.numTokens} tokens), K = {man.codebookSize.toLocaleString('en')} codes per codebook →{' '}
          {bitsPerImage(man.numTokens, man.codebookSize).toLocaleString('en', { maximumFractionDigits: 0 })} bits per
          image; {man.precision} weights from <code>{man.source.file}</code> ({man.source.weightsKey})
        </p>
      )}
      {m.phase === 'loading' && (
        <div className="progress-list" aria-live="polite">
          <p>Loading…</p>
          {m.files.map((f) => (
            <FileProgressBar key={f.file} file={f} />
          ))}
        </div>
      )}
      {m.phase === 'error' && (
        <p className="error" role="alert">
          Could not load this model: {m.error}
        </p>
      )}
      {m.choice && (
        <p className="backend" data-testid="backend">
          <strong>{m.choice.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly (CPU)'}</strong>
          {m.quantizer && <> · quantizer on the {m.quantizer === 'gpu' ? 'GPU' : 'CPU'}</>} — {m.choice.message}
          {m.switchedFrom && <> (switched from {m.switchedFrom})</>}
        </p>
      )}
      {m.runtime && m.placement && (
        <p className="note" data-testid="placement">
          {m.runtime}: semantic encoder on {m.placement.semanticEncoder}, pixel encoder on {m.placement.pixelEncoder},
          pixel decoder on {m.placement.pixelDecoder}
        </p>
      )}
      {m.phase === 'ready' && m.files.length > 0 && <DownloadSummary m={m} />}
      {m.cache && (
        <p className="cache-note">
          Model files kept in {m.cache.store === 'opfs' ? 'browser storage (no download next visit)' : 'memory only'}
          {m.cache.reason ? `: ${m.cache.reason}` : ''}
          {m.cache.repaired?.map((r) => (
            <span key={r}>; {r}</span>
          ))}
        </p>
      )}
      {m.memory && (
        <p className="note" data-testid="model-memory">
          Memory:{' '}
          {m.memory.heapBytes !== undefined ? (
            <>onnxruntime heap {formatBytes(m.memory.heapBytes)}</>
          ) : (
            'onnxruntime heap not measurable here'
          )}{' '}
          for a {formatBytes(m.memory.packageBytes)} package ({m.memory.sessions.length} of 3 graphs loaded)
        </p>
      )}
      {m.codebooksError && <p className="error">{m.codebooksError}</p>}
      {m.phase === 'ready' && <Timings m={m} />}
    </article>
  );
}

/** What loading cost: files, bytes, and where they came from. */
function DownloadSummary({ m }: { readonly m: ModelView }) {
  const bytes = m.files.reduce((a, f) => a + Math.max(f.total, f.loaded), 0);
  const from = (kind: string) => m.files.filter((f) => f.from === kind).length;
  const parts = [
    ['network', 'downloaded'],
    ['cache', 'from the browser cache'],
    ['memory', 'already in memory'],
  ]
    .map(([kind, words]) => (from(kind) ? `${from(kind)} ${words}` : ''))
    .filter(Boolean);
  return (
    <p className="note" data-testid="download-summary" data-bytes={bytes}>
      {m.files.length} files, {formatBytes(bytes)}: {parts.join(', ')}
    </p>
  );
}

function Timings({ m }: { readonly m: ModelView }) {
  const load = m.loadTimings;
  const enc = m.encoded?.timings;
  const dec = m.recon?.result.timings;
  return (
    <details className="timings" data-testid="timings">
      <summary>Timings per stage</summary>
      <table>
        <tbody>
          {load && (
            <tr>
              <th scope="row">load</th>
              <td>
                backend {ms(load.backendMs)}, files + sessions {ms(load.modelMs)}, quantizer setup{' '}
                {ms(load.quantizerSetupMs)} = {ms(load.totalMs)}
              </td>
            </tr>
          )}
          {enc && (
            <tr>
              <th scope="row">encode</th>
              <td>
                crop {ms(enc.preprocessMs)}, semantic encoder {ms(enc.semanticEncoderMs)}, pixel encoder{' '}
                {ms(enc.pixelEncoderMs)}, quantizer {ms(enc.quantizerMs)} = {ms(enc.totalMs)}
                {enc.quantizerScaleMs && (
                  <> (quantizer per scale: {enc.quantizerScaleMs.map((t) => ms(t)).join(', ')})</>
                )}
              </td>
            </tr>
          )}
          {dec && (
            <tr>
              <th scope="row">decode</th>
              <td>
                f̂ {ms(dec.fHatMs)}, {dec.sessionMs !== undefined && <>decoder session {ms(dec.sessionMs)}, </>}pixel
                decoder {ms(dec.decoderMs)}, to uint8 {ms(dec.postprocessMs)} = {ms(dec.totalMs)}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </details>
  );
}

export function ModelPanel() {
  const models = usePlayground((s) => s.models);
  const backend = usePlayground((s) => s.backend);
  const urlError = usePlayground((s) => s.modelUrlError);
  const defaultModel = usePlayground((s) => s.defaultModel);
  const active = usePlayground((s) => activeModel(s)?.id);
  const [url, setUrl] = useState('');
  return (
    <section className="panel models" id="models" aria-labelledby="models-title" data-testid="model-status">
      <h2 id="models-title">Models</h2>
      {models.length === 0 && defaultModel !== 'unknown' && (
        <p>
          No model is loaded yet.{' '}
          {defaultModel === 'absent' && (
            <>
              This build ships no embedded model (<code>public/models/default/</code>). Convert a released checkpoint
              with <code>npm run export -- tokenflow_clipb_32k_enhanced.pt --out public/models/default</code>, or add a
              model package by URL below.
            </>
          )}
        </p>
      )}
      {models.length === 0 && defaultModel === 'unknown' && <p>Looking for the embedded model…</p>}
      <div className="model-cards">
        {models.map((m) => (
          <ModelCard key={m.id} m={m} active={m.id === active} canSwitch={models.length > 1} />
        ))}
      </div>
      <form
        className="add-model"
        onSubmit={(e) => {
          e.preventDefault();
          const typed = url;
          // Cleared once the model is added (that is after it loaded), unless something else was typed meanwhile.
          void addModel(typed).then((id) => id !== undefined && setUrl((now) => (now === typed ? '' : now)));
        }}
      >
        <label htmlFor="model-url">
          Add a model package by URL{models.length > 0 ? ` (up to ${MAX_MODELS} side by side)` : ''}
        </label>
        <div className="row">
          <input
            id="model-url"
            type="text"
            inputMode="url"
            placeholder="/models/siglip/ or https://…/package/"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
          <button type="submit">Load model</button>
        </div>
        {urlError && (
          <p className="error" role="alert">
            {urlError}
          </p>
        )}
      </form>
      <LocalModels />
      <div className="row backend-choice">
        <label htmlFor="backend">Run models on</label>
        <select id="backend" value={backend} onChange={(e) => void setBackend(e.target.value as BackendParam)}>
          <option value="auto">auto (WebGPU on a real GPU, else WebAssembly)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WebAssembly (CPU)</option>
        </select>
      </div>
    </section>
  );
}
