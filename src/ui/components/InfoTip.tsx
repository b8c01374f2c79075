/**
 * An explanation behind a small "i" button: focusable, opened by click, Enter or Space (not
 * only on hover), its text in the page where screen readers and phones reach it. A styled
 * letter rather than "ⓘ", which many fonts lack (it rendered as an empty box).
 */
import { useId, useState, type ReactNode } from 'react';

export function InfoTip({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <span className="info-tip">
      <button
        type="button"
        className="info-button"
        aria-expanded={open}
        aria-controls={id}
        aria-label={`About ${label}`}
        onClick={() => setOpen(!open)}
      >
        i
      </button>
      <span id={id} className="info-text" role="note" hidden={!open}>
        {children}
      </span>
    </span>
  );
}
