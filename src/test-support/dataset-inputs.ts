/**
 * Test-only helpers for the dataset tests: the clip-224 fixture exported as a package (optionally
 * from a deliberately broken copy of its checkpoint), a package with a patched codebook, and
 * image files of every kind the dataset tool must handle, generated on the spot.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { PNG } from 'pngjs';
import { loadCheckpoint } from '../../export/checkpoint/load-checkpoint.ts';
import { writeTorchCheckpoint, type TensorSpec } from '../../export/checkpoint/torch-writer.ts';
import { sha256Hex } from '../core/bytes/sha256.ts';
import { cropRgbImage, type Box, type RgbImage } from '../core/image/rgb-image.ts';
import { fixturePath } from './fixtures.ts';
import { nodeFileSink } from '../node/file-byte-sink.ts';
import { nodeFileSource } from '../node/file-byte-source.ts';
import { decodeImageFile, encodePng } from '../node/image-io.ts';
import { exportCheckpointToDir } from '../node/export-to-dir.ts';
import type { ExportOptions } from '../../export/export-package.ts';

export const FIXTURE = 'clip-224';

/** Exports a checkpoint file to a package folder with the project's exporter. */
export async function exportCheckpoint(checkpoint: string, outDir: string, options: ExportOptions = {}): Promise<void> {
  await exportCheckpointToDir(checkpoint, outDir, options);
}

/** The fixture checkpoint exported as `dir`/pkg; returns that folder. */
export async function exportFixturePackage(dir: string): Promise<string> {
  const pkg = join(dir, 'pkg');
  await exportCheckpoint(fixturePath(FIXTURE, 'checkpoint.pt'), pkg);
  return pkg;
}

/**
 * Writes a copy of the fixture checkpoint with some tensors changed (`edit` returns new values,
 * or undefined to keep a tensor), through the project's torch.save writer.
 */
export async function writeEditedFixtureCheckpoint(
  path: string,
  edit: (key: string, values: Float32Array) => Float32Array | undefined,
): Promise<void> {
  const source = await nodeFileSource(fixturePath(FIXTURE, 'checkpoint.pt'));
  const specs: TensorSpec[] = [];
  try {
    const ckpt = await loadCheckpoint(source);
    for (const [key, entry] of ckpt.stateDict) {
      const original = await entry.readFloat32();
      const values = edit(key, original) ?? original;
      specs.push({ key, shape: [...entry.shape], values: () => values });
    }
  } finally {
    await source.close();
  }
  const sink = await nodeFileSink(path);
  await writeTorchCheckpoint(sink, { model: specs, trainerExtras: false });
  await sink.close();
}

/** Rewrites a package's codebook file and fixes its size and sha256 in manifest.json. */
export async function patchPackageFile(
  pkgDir: string,
  file: string,
  patch: (bytes: Uint8Array) => Uint8Array,
): Promise<void> {
  const bytes = patch(new Uint8Array(await readFile(join(pkgDir, file))));
  await writeFile(join(pkgDir, file), bytes);
  const manifestPath = join(pkgDir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    files: { path: string; bytes: number; sha256: string }[];
  };
  const entry = manifest.files.find((f) => f.path === file);
  if (!entry) throw new Error(`${manifestPath} lists no file ${file}`);
  entry.bytes = bytes.length;
  entry.sha256 = await sha256Hex(bytes);
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
}

export function fixtureSource(image: 'astronaut' | 'coffee'): Promise<RgbImage> {
  return decodeImageFile(fixturePath(FIXTURE, image, 'source.png'));
}

export function crop(img: RgbImage, box: Box): RgbImage {
  return cropRgbImage(img, box);
}

export function pngRgb(img: RgbImage): Uint8Array {
  return encodePng(img);
}

/** A baseline 4:2:0 JPEG of `img` (libjpeg-turbo's encoder, through sharp). */
export async function jpeg(img: RgbImage, quality = 92): Promise<Uint8Array> {
  const out = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(out);
}

/** 16-bit RGB PNG whose high bytes are `img` (low bytes = 0x5a, which Pillow's conversion drops). */
export function png16Rgb(img: RgbImage): Uint8Array {
  const samples = new Uint16Array(img.data.length);
  for (let i = 0; i < samples.length; i++) samples[i] = (img.data[i] << 8) | 0x5a;
  return writePng(img.width, img.height, { colorType: 2, bitDepth: 16 }, new Uint8Array(samples.buffer));
}

/** 16-bit grayscale PNG with the given sample values. */
export function png16Gray(width: number, height: number, value: (x: number, y: number) => number): Uint8Array {
  const samples = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples[y * width + x] = value(x, y);
  return writePng(width, height, { colorType: 0, bitDepth: 16 }, new Uint8Array(samples.buffer));
}

/** 8-bit grayscale PNG of the image's green channel. */
export function pngGray(img: RgbImage): Uint8Array {
  const g = new Uint8Array(img.width * img.height);
  for (let i = 0; i < g.length; i++) g[i] = img.data[3 * i + 1];
  return writePng(img.width, img.height, { colorType: 0, bitDepth: 8 }, g);
}

/** RGBA PNG of `img` with an alpha ramp: the colour channels stay what they are. */
export function pngWithAlpha(img: RgbImage): Uint8Array {
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba.set(img.data.subarray(3 * i, 3 * i + 3), 4 * i);
    rgba[4 * i + 3] = (i % img.width) % 256;
  }
  return writePng(img.width, img.height, { colorType: 6, bitDepth: 8 }, rgba);
}

function writePng(
  width: number,
  height: number,
  o: { colorType: 0 | 2 | 6; bitDepth: 8 | 16 },
  data: Uint8Array,
): Uint8Array {
  const png = new PNG({
    width,
    height,
    colorType: o.colorType,
    inputColorType: o.colorType,
    inputHasAlpha: o.colorType === 6,
    bitDepth: o.bitDepth,
  });
  // pngjs reads 16-bit input as a Uint16Array over the buffer's whole ArrayBuffer: give it one of its own.
  png.data = Buffer.from(data.slice().buffer);
  const out = PNG.sync.write(png, {
    colorType: o.colorType,
    inputColorType: o.colorType,
    inputHasAlpha: o.colorType === 6,
    bitDepth: o.bitDepth,
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A lossless WebP of `img`, written with the encoder that ships in the same package as our decoder. */
export async function webpLossless(img: RgbImage): Promise<Uint8Array> {
  const { createRequire } = await import('node:module');
  const encodeModule = await import('@jsquash/webp/encode.js');
  const wasm = await readFile(createRequire(import.meta.url).resolve('@jsquash/webp/codec/enc/webp_enc.wasm'));
  await (encodeModule.init as unknown as (m: WebAssembly.Module) => Promise<void>)(await WebAssembly.compile(wasm));
  const rgba = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba.set(img.data.subarray(3 * i, 3 * i + 3), 4 * i);
    rgba[4 * i + 3] = 255;
  }
  const imageData = { width: img.width, height: img.height, data: rgba, colorSpace: 'srgb' } as ImageData;
  return new Uint8Array(await encodeModule.default(imageData, { lossless: 1, exact: 1 }));
}

/** A PNG whose IHDR declares width×height (the data is one empty row: the header decides). */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
