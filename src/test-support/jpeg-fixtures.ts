/**
 * The JPEG decoding fixtures (fixtures/jpeg-decode): JPEGs written by Pillow, each with Pillow
 * 9.4's decoded pixels (`Image.open(p).convert('RGB')` on libjpeg-turbo) and the official
 * 256 px centre crop of them. Test-only: Node file I/O.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fixturePath } from './fixtures.ts';

export const JPEG_FIXTURES = 'jpeg-decode';

interface RawTensorInfo {
  readonly file: string;
  readonly shape: readonly [number, number, number];
  readonly sha256: string;
}

export interface JpegFixture {
  readonly name: string;
  readonly desc: string;
  /** Absolute path of the .jpg. */
  readonly jpegPath: string;
  readonly decoded: RawTensorInfo;
  readonly crop256: RawTensorInfo;
}

/** Throws when the manifest is missing: the fixtures ship with the repository, so no suite skips them. */
export function jpegFixtures(): JpegFixture[] {
  const manifest = fixturePath(JPEG_FIXTURES, 'manifest.json');
  if (!existsSync(manifest)) throw new Error(`JPEG fixtures not found: ${manifest} is missing`);
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as {
    images: { name: string; desc: string; jpeg: string; decoded: RawTensorInfo; crop256: RawTensorInfo }[];
  };
  return m.images.map((i) => ({
    name: i.name,
    desc: i.desc,
    jpegPath: fixturePath(JPEG_FIXTURES, i.jpeg),
    decoded: i.decoded,
    crop256: i.crop256,
  }));
}

/** The raw uint8 bytes of a fixture tensor (H×W×3). */
export function jpegFixtureBytes(info: RawTensorInfo): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(JPEG_FIXTURES, info.file)));
}
