/**
 * The one HelperSession adapter over an onnxruntime InferenceSession, for onnxruntime-node and
 * onnxruntime-web alike (both follow onnxruntime-common's API; each runner passes its own
 * session and Tensor constructor, so core imports neither package).
 */
import type { HelperSession, NumericTensor } from './graph-runner.ts';

interface OrtTensorLike {
  readonly type: string;
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface OrtSessionLike<T> {
  run(feeds: Record<string, T>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

export function ortHelperSession<T>(
  session: OrtSessionLike<T>,
  float32Tensor: (data: Float32Array, dims: number[]) => T,
): HelperSession {
  return {
    async run(feeds) {
      const ortFeeds: Record<string, T> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = float32Tensor(t.data, [...t.shape]);
      const results = await session.run(ortFeeds);
      const out: Record<string, NumericTensor> = {};
      for (const [name, t] of Object.entries(results)) {
        if (t.type !== 'float32' && t.type !== 'int32')
          throw new Error(`helper graph output ${name} is ${t.type}, expected float32 or int32`);
        out[name] = { data: t.data as Float32Array | Int32Array, shape: [...t.dims] };
      }
      return out;
    },
    release: () => session.release(),
  };
}
