/**
 * User action (beyond the paper): decode tokens from JSON in the export format (pasted or
 * loaded from a file) with the active model, without any image.
 */
import { parseTokenFile } from '../logic/token-json.ts';
import { activeModel, getState, setState, updateModel } from '../state/store.ts';
import { reconstruct } from './reconstruct.ts';

/** Returns an error message for the user, or undefined when the tokens are being decoded. */
export async function decodePastedTokens(text: string): Promise<string | undefined> {
  const m = activeModel(getState());
  if (!m?.manifest || m.phase !== 'ready') return 'load a model first: tokens are decoded with its codebooks';
  let parsed;
  try {
    parsed = parseTokenFile(text, m.manifest);
  } catch (e) {
    return `these tokens cannot be decoded: ${(e as Error).message}`;
  }
  const covered = parsed.file.scales.length;
  const chosen = getState().scaleIndex;
  setState({ selected: undefined, scaleIndex: chosen !== undefined && chosen < covered ? chosen : undefined });
  updateModel(m.id, {
    tokens: parsed.indices,
    tokenSource: 'pasted',
    edits: new Map(),
    tokenNotes: [
      `decoded from pasted tokens${parsed.file.image ? ` of ${parsed.file.image}` : ''} (${covered} of ${m.manifest.scales.length} scales)`,
      ...parsed.warnings,
    ],
  });
  await reconstruct(m.id);
  return undefined;
}

/** Back to the tokens of the current image's encode. */
export async function backToEncodedTokens(): Promise<void> {
  const m = activeModel(getState());
  if (!m?.encoded) return;
  updateModel(m.id, {
    tokens: m.encoded.quantization.indices,
    tokenSource: 'encoded',
    edits: new Map(),
    tokenNotes: [],
  });
  await reconstruct(m.id);
}
