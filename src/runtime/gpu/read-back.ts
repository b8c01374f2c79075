/**
 * Copies several GPU buffers into one staging buffer in the same command encoder, so a run ends
 * with a single map instead of one round trip per result.
 */
import { BufferUsage, MAP_MODE_READ } from './webgpu-flags.ts';

export interface ReadBackSource {
  readonly buffer: GPUBuffer;
  /** Bytes from the start of `buffer`; a multiple of 4 as copyBufferToBuffer requires. */
  readonly bytes: number;
}

export interface PendingReadBack {
  /** Resolves after the encoder has been submitted; one ArrayBuffer per source, in order. */
  read(): Promise<ArrayBuffer[]>;
}

export function encodeReadBack(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  sources: readonly ReadBackSource[],
): PendingReadBack {
  const offsets: number[] = [];
  let total = 0;
  for (const { bytes } of sources) {
    if (bytes % 4 !== 0) throw new Error(`read-back of ${bytes} bytes is not a multiple of 4`);
    offsets.push(total);
    total += bytes;
  }
  const staging = device.createBuffer({
    label: 'read-back staging',
    size: Math.max(total, 4),
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
  });
  sources.forEach(({ buffer, bytes }, i) => {
    if (bytes > 0) encoder.copyBufferToBuffer(buffer, 0, staging, offsets[i], bytes);
  });
  return {
    async read() {
      try {
        await staging.mapAsync(MAP_MODE_READ);
        const mapped = staging.getMappedRange();
        // Copies, because the mapped range is detached by unmap().
        const out = sources.map(({ bytes }, i) => mapped.slice(offsets[i], offsets[i] + bytes));
        staging.unmap();
        return out;
      } finally {
        staging.destroy();
      }
    },
  };
}
