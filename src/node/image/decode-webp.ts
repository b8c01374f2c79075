/**
 * WebP decoding in Node through @jsquash/webp (libwebp compiled to wasm, shipped inside the npm
 * package: nothing is downloaded at install or run time). Converted like Pillow's
 * `convert('RGB')`: libwebp decodes to unpremultiplied RGBA, as Pillow's WebP plugin does, and
 * alpha is dropped, not composited. Animated WebP is not supported (libwebp's still-image API
 * refuses it; Pillow would take the first frame).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import decodeWebpRgba, { init } from '@jsquash/webp/decode.js';
import { type RgbImage, assertRgbImage } from '../../core/image/rgb-image.ts';

let ready: Promise<void> | undefined;

/**
 * The package's default loader fetches the .wasm by URL, which Node cannot do for a file path;
 * compile it from the installed file instead. Its typings only declare the options overload,
 * while the code also takes a compiled module as first argument.
 */
function initDecoder(): Promise<void> {
  ready ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm');
    const module = await WebAssembly.compile(await readFile(wasmPath));
    await (init as unknown as (m: WebAssembly.Module) => Promise<void>)(module);
  })();
  return ready;
}

export async function decodeWebp(bytes: Uint8Array, nameForErrors: string): Promise<RgbImage> {
  await initDecoder();
  let rgba: { width: number; height: number; data: Uint8ClampedArray };
  try {
    // Hand over an exact copy: the decoder takes a whole ArrayBuffer.
    rgba = await decodeWebpRgba(bytes.slice().buffer);
  } catch (e) {
    throw new Error(`${nameForErrors}: corrupt or unsupported WebP (libwebp: ${(e as Error).message})`);
  }
  const { width, height } = rgba;
  const n = width * height;
  if (rgba.data.length !== n * 4)
    throw new Error(`${nameForErrors}: WebP decoder returned ${rgba.data.length} bytes for ${width}x${height} RGBA`);
  const out = new Uint8Array(n * 3);
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 4, o += 3) {
    out[o] = rgba.data[s];
    out[o + 1] = rgba.data[s + 1];
    out[o + 2] = rgba.data[s + 2];
  }
  const img = { width, height, data: out };
  assertRgbImage(img, `${nameForErrors}: decoded WebP`);
  return img;
}
