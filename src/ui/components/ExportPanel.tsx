/** Downloads (tokens, reconstruction PNG, metrics) and decoding tokens pasted as JSON. */
import { useState } from 'react';
import { exportMetrics, exportReconstruction, exportTokens } from '../actions/export-files.ts';
import { backToEncodedTokens, decodePastedTokens } from '../actions/paste-tokens.ts';
import { activeModel, usePlayground } from '../state/store.ts';

export function ExportPanel() {
  const model = usePlayground(activeModel);
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const run = (f: () => unknown) => {
    setError(undefined);
    Promise.resolve()
      .then(f)
      .catch((e: Error) => setError(e.message));
  };
  const ready = model?.phase === 'ready';
  return (
    <section className="panel export" id="export" aria-labelledby="export-title">
      <h2 id="export-title">Export and decode tokens</h2>
      <div className="row">
        <button type="button" disabled={!model?.tokens} onClick={() => run(() => exportTokens())}>
          Download tokens (JSON)
        </button>
        <button type="button" disabled={!model?.recon} onClick={() => run(() => exportReconstruction())}>
          Download reconstruction (PNG)
        </button>
        <button type="button" disabled={!model?.recon?.metrics} onClick={() => run(() => exportMetrics())}>
          Download metrics (JSON)
        </button>
      </div>
      <form
        className="paste-tokens"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const message = await decodePastedTokens(text);
            if (message) throw new Error(message);
          });
        }}
      >
        <label htmlFor="token-json">
          Decode tokens from JSON (the format downloaded above; a bare array of per-scale arrays works too)
        </label>
        <textarea
          id="token-json"
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder='{"scales": [1, 2, …], "indices": [[…], […], …]}'
          spellCheck={false}
        />
        <div className="row">
          <button type="submit" disabled={!ready || text.trim() === ''}>
            Decode these tokens
          </button>
          <label className="file-button">
            or load a token file
            <input
              type="file"
              accept="application/json,.json"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) run(async () => setText(await f.text()));
              }}
            />
          </label>
          {model?.tokenSource === 'pasted' && model.encoded && (
            <button type="button" onClick={() => run(backToEncodedTokens)}>
              Back to the image's tokens
            </button>
          )}
        </div>
      </form>
      {model?.tokenNotes.map((n) => (
        <p key={n} className="note" data-testid="token-note">
          {n}
        </p>
      ))}
      {error && (
        <p className="error" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
    </section>
  );
}
