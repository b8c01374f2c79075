/**
 * Writes the trained parameters as an official-layout PyTorch checkpoint (`{'model': state_dict}`
 * like vq_train.py), with the project's torch writer, so `npm run export` converts it exactly as
 * it converts a released TokenFlow file.
 */
import { writeTorchCheckpoint, type TensorSpec } from '../export/checkpoint/torch-writer.ts';
import type { LayoutEntry } from '../export/state-dict-layout.ts';
import { nodeFileSink } from '../src/node/file-byte-sink.ts';
import { toTorchLayout, type Params } from './params.ts';

export async function writeOfficialCheckpoint(
  path: string,
  layout: readonly LayoutEntry[],
  params: Params,
): Promise<number> {
  const model: TensorSpec[] = [];
  for (const entry of layout) {
    const v = params.get(entry.key);
    if (!v) throw new Error(`cannot export: no trained value for '${entry.key}'`);
    const values = toTorchLayout(entry, (await v.data()) as Float32Array);
    model.push({ key: entry.key, shape: entry.shape, values: () => values });
  }
  const sink = await nodeFileSink(path);
  const summary = await writeTorchCheckpoint(sink, { archiveName: 'tokenflow-tiny', model, trainerExtras: false });
  return summary.bytes;
}
