import { useEffect, useState } from 'react';
import { parseManifest, type ModelManifest } from '../core/model-package/manifest.ts';

type ModelState = { kind: 'loading' } | { kind: 'ready'; manifest: ModelManifest } | { kind: 'none'; reason: string };

/** Looks for the embedded default model package shipped in public/models/default/. */
async function findEmbeddedModel(): Promise<ModelState> {
  const url = `${import.meta.env.BASE_URL}models/default/manifest.json`;
  const response = await fetch(url);
  if (!response.ok) return { kind: 'none', reason: `no embedded model at ${url} (HTTP ${response.status})` };
  try {
    return { kind: 'ready', manifest: parseManifest(await response.json(), url) };
  } catch (e) {
    return { kind: 'none', reason: (e as Error).message };
  }
}

export function App() {
  const [model, setModel] = useState<ModelState>({ kind: 'loading' });
  useEffect(() => {
    findEmbeddedModel().then(setModel, (e: unknown) => setModel({ kind: 'none', reason: String(e) }));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 880, margin: '2rem auto', padding: '0 1rem', lineHeight: 1.5 }}>
      <h1>TokenFlow Playground</h1>
      <p>
        The TokenFlow image tokenizer (arXiv 2412.03069), numerically faithful to the official code, in your browser: one index per
        token chosen jointly by a semantic and a pixel codebook, refined over scales.
      </p>
      <section aria-live="polite" data-testid="model-status">
        {model.kind === 'loading' && <p>Looking for the embedded model…</p>}
        {model.kind === 'ready' && (
          <p>
            Model: <strong>{model.manifest.name}</strong> — {model.manifest.inputSize}px, {model.manifest.scales.length} scales (
            {model.manifest.numTokens} tokens), K={model.manifest.codebookSize}
          </p>
        )}
        {model.kind === 'none' && (
          <p>
            No model is loaded yet ({model.reason}). Convert a released checkpoint with{' '}
            <code>npm run export -- tokenflow_clipb_32k_enhanced.pt --out public/models/default</code>.
          </p>
        )}
      </section>
    </main>
  );
}
