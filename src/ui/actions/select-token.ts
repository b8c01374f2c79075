/** User actions on the token views: pick a scale, select a token, choose a code to look at. */
import { setState } from '../state/store.ts';

export function setScaleIndex(scaleIndex: number): void {
  setState({ scaleIndex });
}

/** Selects a token (flat index of the active model), or clears the selection. */
export function selectToken(token: number | undefined): void {
  setState({ selected: token });
}

/** The code the codebook view shows patches for. */
export function chooseCode(code: number | undefined): void {
  setState({ chosenCode: code });
}

export function setZoom(zoom: number): void {
  setState({ zoom });
}
