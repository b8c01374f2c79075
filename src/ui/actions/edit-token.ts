/**
 * User action (beyond the paper): put another code at one token, e.g. a runner-up from the
 * top-k, and decode the edited sequence. The original code is remembered so the edit can be
 * seen and undone.
 */
import { activeModel, getState, updateModel } from '../state/store.ts';
import { reconstruct } from './reconstruct.ts';

export async function setTokenCode(token: number, code: number): Promise<void> {
  const m = activeModel(getState());
  if (!m?.tokens || !m.manifest) throw new Error('there are no tokens to edit yet');
  const K = m.manifest.codebookSize;
  if (!Number.isInteger(code) || code < 0 || code >= K) throw new Error(`code ${code} is not an index in [0, ${K})`);
  if (token < 0 || token >= m.tokens.length) throw new Error(`token ${token} is outside the ${m.tokens.length} tokens`);
  if (m.tokens[token] === code) return;
  const tokens = m.tokens.slice();
  const edits = new Map(m.edits);
  const original = edits.get(token) ?? m.tokens[token];
  tokens[token] = code;
  if (original === code) edits.delete(token);
  else edits.set(token, original);
  const source = m.tokenSource === 'pasted' ? 'pasted' : edits.size > 0 ? 'edited' : 'encoded';
  // Back to the encode's own tokens object when every edit is undone, so decode uses its f̂.
  const back = source === 'encoded' && m.encoded ? m.encoded.quantization.indices : tokens;
  updateModel(m.id, { tokens: back, edits, tokenSource: source });
  await reconstruct(m.id);
}

/** Undoes every edit (pasted tokens stay pasted). */
export async function resetEdits(): Promise<void> {
  const m = activeModel(getState());
  if (!m?.tokens || m.edits.size === 0) return;
  if (m.tokenSource === 'pasted') {
    const tokens = m.tokens.slice();
    for (const [t, code] of m.edits) tokens[t] = code;
    updateModel(m.id, { tokens, edits: new Map() });
  } else if (m.encoded) {
    updateModel(m.id, { tokens: m.encoded.quantization.indices, edits: new Map(), tokenSource: 'encoded' });
  }
  await reconstruct(m.id);
}
