/** What the page is doing now (logic/page-status.ts), one line near the top. */
import { pageStatus } from '../logic/page-status.ts';
import { usePlayground } from '../state/store.ts';
import { useShallow } from 'zustand/react/shallow';

export function StatusLine() {
  const status = usePlayground(useShallow((s) => pageStatus(s)));
  return (
    <p
      className={`status-line ${status.step}${status.busy ? ' busy' : ''}`}
      data-testid="status-line"
      data-step={status.step}
      role="status"
      aria-live="polite"
    >
      {status.busy && <span className="spinner" aria-hidden="true" />}
      {status.text}
    </p>
  );
}
