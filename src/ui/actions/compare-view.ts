/** User actions: show the results side by side or as a before/after slider, and what the slider compares. */
import { setState } from '../state/store.ts';
import type { PlaygroundState } from '../state/types.ts';

export function setResultView(view: PlaygroundState['resultView']): void {
  setState({ resultView: view });
}

/** A key of logic/compare-choices.ts. */
export function setCompareWith(key: string): void {
  setState({ compareWith: key });
}
