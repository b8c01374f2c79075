/**
 * The playground page: sections that render the store; model work runs in the workers. The
 * first screen holds what a visit is for — the status, the image input, the crop beside its
 * reconstruction and difference, and the tokens with their inspector; the deeper panels follow,
 * one click away in the outline.
 */
import { useEffect } from 'react';
import { selectToken } from './actions/select-token.ts';
import { startPage } from './actions/start-page.ts';
import { AgreementMap } from './components/AgreementMap.tsx';
import { CodebookView } from './components/CodebookView.tsx';
import { ExportPanel } from './components/ExportPanel.tsx';
import { ImageInput } from './components/ImageInput.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { Reconstruction } from './components/Reconstruction.tsx';
import { StatusLine } from './components/StatusLine.tsx';
import { TokenControls } from './components/TokenControls.tsx';
import { TokenGrid } from './components/TokenGrid.tsx';
import { TokenInspector } from './components/TokenInspector.tsx';
import { getState, usePlayground } from './state/store.ts';
import './playground.css';

const OUTLINE: readonly [string, string][] = [
  ['results', 'Results'],
  ['tokens', 'Tokens'],
  ['inspector', 'Inspector'],
  ['agreement', 'Agreement'],
  ['codebook', 'Codebook'],
  ['export', 'Export'],
  ['models', 'Models'],
];

function Notices() {
  const notices = usePlayground((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-live="polite">
      {notices.map((n) => (
        <li key={n}>{n}</li>
      ))}
    </ul>
  );
}

/** Esc anywhere but in a text field lets go of the selected token (the inspector closes). */
function useEscapeClosesInspector(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || getState().selected === undefined) return;
      const target = e.target as HTMLElement | null;
      if (
        target &&
        (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') &&
        (target as HTMLInputElement).type !== 'range'
      )
        return;
      selectToken(undefined);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

export function App() {
  useEffect(() => {
    void startPage();
  }, []);
  useEscapeClosesInspector();
  return (
    <>
      <nav className="skip-links" aria-label="Skip links">
        <a href="#results">Skip to the results</a>
        <a href="#tokens">Skip to the tokens</a>
      </nav>
      <main className="playground">
        <header className="page-header">
          <div>
            <h1>TokenFlow Playground</h1>
            <p>
              The TokenFlow image tokenizer (<a href="https://arxiv.org/abs/2412.03069">arXiv 2412.03069</a>) in your
              browser, numerically faithful to the official code: each token is one index chosen jointly by a semantic
              and a pixel codebook, refined scale by scale from 1×1 to the final grid.
            </p>
          </div>
          <nav className="outline" aria-label="Page sections">
            {OUTLINE.map(([id, label]) => (
              <a key={id} href={`#${id}`}>
                {label}
              </a>
            ))}
          </nav>
        </header>
        <StatusLine />
        <Notices />
        <ImageInput />
        <div className="workspace">
          <Reconstruction />
          <section className="panel tokens" id="tokens" aria-labelledby="tokens-title">
            <h2 id="tokens-title">Tokens per scale</h2>
            <TokenGrid />
            <TokenControls />
          </section>
          <TokenInspector />
        </div>
        <div className="deep-panels">
          <AgreementMap />
          <CodebookView />
          <ExportPanel />
          <ModelPanel />
        </div>
      </main>
    </>
  );
}
