/** The playground page: sections that render the store; model work runs in the workers. */
import { useEffect } from 'react';
import { startPage } from './actions/start-page.ts';
import { AgreementMap } from './components/AgreementMap.tsx';
import { CodebookView } from './components/CodebookView.tsx';
import { ExportPanel } from './components/ExportPanel.tsx';
import { ImageInput } from './components/ImageInput.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { Reconstruction } from './components/Reconstruction.tsx';
import { TokenControls } from './components/TokenControls.tsx';
import { TokenGrid } from './components/TokenGrid.tsx';
import { TokenInspector } from './components/TokenInspector.tsx';
import { usePlayground } from './state/store.ts';
import './playground.css';

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

export function App() {
  useEffect(() => {
    void startPage();
  }, []);
  return (
    <main className="playground">
      <header className="page-header">
        <h1>TokenFlow Playground</h1>
        <p>
          The TokenFlow image tokenizer (<a href="https://arxiv.org/abs/2412.03069">arXiv 2412.03069</a>), numerically faithful to the official code, in your
          browser: each token is one index chosen jointly by a semantic and a pixel codebook, refined scale by scale from 1×1 to the final grid.
        </p>
      </header>
      <Notices />
      <div className="top-row">
        <ImageInput />
        <ModelPanel />
      </div>
      <section className="panel tokens" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Tokens per scale</h2>
        <TokenControls />
        <div className="tokens-body">
          <div className="tokens-main">
            <TokenGrid />
            <AgreementMap />
          </div>
          <TokenInspector />
        </div>
      </section>
      <Reconstruction />
      <CodebookView />
      <ExportPanel />
    </main>
  );
}
