/**
 * User action: pin the active model's reconstruction, so changing the distance weights, editing
 * tokens or moving the depth slider can be compared with it (it stays until unpinned).
 */
import { count } from '../logic/plural.ts';
import { activeModel, getState, setState } from '../state/store.ts';

export function pinResult(): void {
  const s = getState();
  const m = activeModel(s);
  const r = m?.recon;
  if (!m || !r) return;
  const size = r.result.outputSize;
  const w = s.weights;
  const parts = [
    m.manifest?.name ?? m.url,
    `scales 1…${r.scalesUsed}`,
    r.from === 'pasted' ? 'pasted tokens' : `weights ${w.semantic}:${w.pixel}`,
    ...(m.edits.size > 0 ? [count(m.edits.size, 'edit')] : []),
  ];
  setState({
    // A copy: the decoder's buffer belongs to the result it came with.
    pinned: {
      label: parts.join(', '),
      image: { width: size, height: size, data: r.result.imageU8.slice() },
      ...(r.metrics ? { metrics: r.metrics } : {}),
    },
    compareWith: 'pinned',
  });
}

export function unpinResult(): void {
  const s = getState();
  setState({ pinned: undefined, compareWith: s.compareWith === 'pinned' ? undefined : s.compareWith });
}
