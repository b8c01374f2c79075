/** User actions on the token views: pick a scale, select or hover a token, choose a code to look at. */
import { setState } from '../state/store.ts';

export function setScaleIndex(scaleIndex: number): void {
  setState({ scaleIndex });
}

/**
 * Selects a token (flat index of the active model), or clears the selection. The codebook view
 * follows the selection, so a code chosen there before is let go.
 */
export function selectToken(token: number | undefined): void {
  setState({ selected: token, chosenCode: undefined });
}

/** The token under the pointer, outlined on the images (undefined when the pointer leaves). */
export function hoverToken(token: number | undefined): void {
  setState({ hovered: token });
}

/** The code the codebook view shows patches for. */
export function chooseCode(code: number | undefined): void {
  setState({ chosenCode: code });
}

export function setZoom(zoom: number): void {
  setState({ zoom });
}

/** Draw the shown scale's token grid over the crop and the reconstructions. */
export function setGridOverlay(on: boolean): void {
  setState({ gridOverlay: on });
}

/** Show the crop through the token grid, or the code colours alone. */
export function setGridOverImage(on: boolean): void {
  setState({ gridOverImage: on });
}
