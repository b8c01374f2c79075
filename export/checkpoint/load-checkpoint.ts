/**
 * Entry point of checkpoint reading: recognises the file format from its first bytes and
 * returns the model weights as a lazy state dict.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import type { ByteSource } from '../../src/core/bytes/byte-source.ts';
import type { Crc32 } from '../../src/core/bytes/crc32.ts';
import { plausibleSafetensorsHeader, readSafetensors } from './safetensors.ts';
import { selectWeights } from './select-weights.ts';
import type { LoadedCheckpoint } from './state-dict.ts';
import { readTorchCheckpoint } from './torch-checkpoint.ts';

const NEITHER = 'neither a torch.save zip nor a safetensors file';

export interface LoadOptions {
  /** Checks each torch.save record as it is read (default: the portable one; Node passes zlib's). */
  readonly crc32?: Crc32;
}

export async function loadCheckpoint(source: ByteSource, options: LoadOptions = {}): Promise<LoadedCheckpoint> {
  if (source.size === 0) throw new CheckpointError(`${source.name}: the file is empty (0 bytes); ${NEITHER}`);
  const head = await source.read(0, Math.min(16, source.size));
  // 'PK\x03\x04' starts a zip with entries, 'PK\x05\x06' an empty one; both go to the zip reader.
  if (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
  ) {
    const ckpt = await readTorchCheckpoint(source, options.crc32);
    const picked = selectWeights(ckpt.root, source.name);
    return { format: 'torch-zip', source: source.name, ...picked };
  }
  if (head[0] === 0x80 && head.length >= 2 && head[1] >= 2 && head[1] <= 5) {
    throw new CheckpointError(
      `${source.name}: a legacy (non-zip) torch.save file, as written by PyTorch < 1.6 or with ` +
        '_use_new_zipfile_serialization=False; it is not supported. ' +
        'Re-save it with a modern PyTorch: torch.save(torch.load(path), new_path)',
    );
  }
  if ((await plausibleSafetensorsHeader(source)) !== undefined) {
    const file = await readSafetensors(source);
    return {
      format: 'safetensors',
      source: source.name,
      topLevelKeys: [],
      weightsKey: '(top level)',
      stateDict: file.tensors,
    };
  }
  throw new CheckpointError(`${source.name}: ${NEITHER} (it starts with ${sniffDescription(head)})`);
}

function sniffDescription(head: Uint8Array): string {
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'a PNG signature';
  if (head[0] === 0xff && head[1] === 0xd8) return 'a JPEG signature';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'a gzip signature';
  if (head[0] === 0x3c) return "'<', like an HTML page (a failed download?)";
  return `bytes ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}
