/** The colour a token cell is painted with (grey until the model's colour table is ready). */
import { codeCss, type CodeColours } from '../logic/code-colours.ts';

export const PENDING_COLOUR = 'rgb(128 128 128)';

export function tokenCss(colours: CodeColours | undefined, code: number): string {
  return colours && code < colours.size ? codeCss(colours, code) : PENDING_COLOUR;
}

export function tokenRgb(colours: CodeColours | undefined, code: number): [number, number, number] {
  if (!colours || code >= colours.size) return [128, 128, 128];
  return [colours.rgb[code * 3], colours.rgb[code * 3 + 1], colours.rgb[code * 3 + 2]];
}
