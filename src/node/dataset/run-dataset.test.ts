/**
 * The dataset run on a generated folder mixing good photos (the fixture sources and crops of
 * them, as PNG, JPEG and WebP) with a corrupt file, an empty file, a text file, a tiny image, 16-bit
 * PNGs, a grayscale and an alpha image: every file gets the right outcome, and the metrics of the
 * good ones match values computed here from the written files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetWorkspace } from '../../test-support/dataset-workspace.ts';
import { centerCropArr } from '../../core/image/center-crop.ts';
import { distribution } from '../../core/metrics/distribution.ts';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import { gaussianTapsReference, bruteForceSsim } from '../../test-support/ssim-reference.ts';
import { reconstructImage } from '../../core/pipeline/tokenflow-pipeline.ts';
import { decodeImageFile } from '../image-io.ts';
import { loadModelFromDir } from '../package-dir-reader.ts';
import { type FileRecord, type ProcessedRecord, isProcessed } from './records.ts';
import { runDataset, type DatasetRunResult } from './run-dataset.ts';
import type { DatasetSummary } from './summary.ts';
import {
  FIXTURE,
  crop,
  fixtureSource,
  jpeg,
  png16Gray,
  png16Rgb,
  pngGray,
  pngHeaderOnly,
  pngRgb,
  pngWithAlpha,
  webpLossless,
} from '../../test-support/dataset-inputs.ts';
import { TokenFileReader } from './token-file.ts';
import { fixturePath } from '../../test-support/fixtures.ts';
import { jpegFixtures } from '../../test-support/jpeg-fixtures.ts';

const R = 224;

describe('npm run dataset on a mixed folder', () => {
  const ws = datasetWorkspace('tf-dataset-');
  let out: string;
  let run: DatasetRunResult;
  const records = new Map<string, FileRecord>();
  /** The source image of each good file, as decoded by the reference decoder. */
  const sources = new Map<string, RgbImage>();

  beforeAll(async () => {
    out = join(ws.input(), 'out'); // inside the input folder: must not be scanned

    const astronaut = await fixtureSource('astronaut');
    const coffee = await fixtureSource('coffee');
    const face = crop(astronaut, { x: 140, y: 20, width: 300, height: 260 });
    const cup = crop(coffee, { x: 0, y: 0, width: 330, height: 400 });
    const files: Record<string, Uint8Array> = {
      'photos/astronaut.png': new Uint8Array(await readFile(fixturePath(FIXTURE, 'astronaut', 'source.png'))),
      'photos/coffee.png': new Uint8Array(await readFile(fixturePath(FIXTURE, 'coffee', 'source.png'))),
      'photos/crops/face.png': pngRgb(face),
      'photos/crops/cup.jpg': await jpeg(cup),
      'photos/crops/cup-lossless.webp': await webpLossless(cup),
      'photos/crops/cup.png': pngRgb(cup),
      'odd/face-16bit.png': png16Rgb(face),
      'odd/face-alpha.png': pngWithAlpha(face),
      'odd/cup-gray.png': pngGray(cup),
      'odd/tiny-3x2.png': pngRgb({
        width: 3,
        height: 2,
        data: Uint8Array.from([250, 10, 10, 10, 250, 10, 10, 10, 250, 240, 240, 20, 20, 240, 240, 128, 128, 128]),
      }),
      'odd/gray-16bit.png': png16Gray(256, 256, (x, y) => 200 + 60 * x + y),
      'bad/truncated.png': pngRgb(face).subarray(0, 2000),
      'bad/bomb.png': pngHeaderOnly(20000, 20000),
      'bad/empty.jpg': new Uint8Array(0),
      'notes.txt': new TextEncoder().encode('holiday photos, do not delete\n'),
      '.DS_Store': new Uint8Array([0, 0, 0, 1, 66, 117, 100, 49]),
    };
    const exif = jpegFixtures().find((x) => x.name.includes('orientation'))!;
    files['photos/phone-exif6.jpg'] = new Uint8Array(await readFile(exif.jpegPath));
    for (const [path, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(ws.input(), path)), { recursive: true });
      await writeFile(join(ws.input(), path), bytes);
    }
    // Latin-1 names, not valid UTF-8: decoded to strings both would read "caf\uFFFD.png".
    await mkdir(join(ws.input(), 'latin1'));
    for (const accent of [0xe9, 0xe8]) {
      await writeFile(
        Buffer.concat([Buffer.from(join(ws.input(), 'latin1', 'caf')), Buffer.from([accent]), Buffer.from('.png')]),
        pngRgb(face),
      );
    }
    sources.set('photos/astronaut.png', astronaut);
    sources.set('photos/coffee.png', coffee);
    sources.set('photos/crops/face.png', face);
    sources.set('photos/crops/cup.png', cup);

    run = await runDataset({ model: ws.pkg(), input: ws.input(), out, onFile: (r) => records.set(r.path, r) });
  });

  it('refuses --out equal to --in (the reconstructions would come back as inputs), before loading anything', async () => {
    await expect(
      runDataset({ model: ws.pkg(), input: ws.input(), out: join(ws.input(), '.', 'photos', '..') }),
    ).rejects.toThrow(/--out .* is the --in folder: the reconstructions would be read back as inputs/);
  });

  const processed = (path: string): ProcessedRecord => {
    const r = records.get(path);
    if (!r || !isProcessed(r)) throw new Error(`${path} was not processed: ${JSON.stringify(r)}`);
    return r;
  };
  /** Processed images: 11 plus the two Latin-1 names and the EXIF photo. */
  const goodImages = 14;
  const checks = (path: string) => processed(path).health.map((f) => `${f.severity}:${f.stage}:${f.check}`);

  it('lists every file (hidden ones and the output folder aside) with the right outcome', () => {
    const status = Object.fromEntries([...records].map(([p, r]) => [p, r.status]));
    expect(status).toEqual({
      'bad/bomb.png': 'unreadable',
      'bad/empty.jpg': 'skipped',
      'bad/truncated.png': 'unreadable',
      'latin1/caf\\xe8.png': 'ok',
      'latin1/caf\\xe9.png': 'ok',
      'notes.txt': 'skipped',
      'odd/cup-gray.png': 'ok',
      'odd/face-16bit.png': 'ok',
      'odd/face-alpha.png': 'ok',
      'odd/gray-16bit.png': 'warning',
      'odd/tiny-3x2.png': 'warning',
      'photos/astronaut.png': 'ok',
      'photos/coffee.png': 'ok',
      'photos/crops/cup-lossless.webp': 'ok',
      'photos/crops/cup.jpg': 'ok',
      'photos/crops/cup.png': 'ok',
      'photos/crops/face.png': 'ok',
      'photos/phone-exif6.jpg': 'ok',
    });
    const expected = 18;
    expect(run.selected).toBe(expected);
    expect(run.processedNow).toBe(expected);
    expect(run.stopped).toBe(false);
  });

  it('says why files were not processed', () => {
    const reason = (p: string) => (records.get(p) as { reason: string }).reason;
    expect(reason('bad/empty.jpg')).toBe('empty file');
    expect(reason('bad/truncated.png')).toMatch(/^bad\/truncated\.png: corrupt or unsupported PNG/);
    expect(reason('notes.txt')).toMatch(/not a PNG, JPEG or WebP file .*looks like text/);
    expect(reason('bad/bomb.png')).toMatch(
      new RegExp(
        "^bad/bomb\\.png: the image is 20000x20000 = 400,000,000 pixels, over Pillow's decompression-bomb limit " +
          'of 178,956,970 pixels .*Refused before decoding',
      ),
    );
  });

  it('reads files whose names are not UTF-8, each under its own escaped path, with its own reconstruction', async () => {
    const a = processed('latin1/caf\\xe9.png');
    const b = processed('latin1/caf\\xe8.png');
    expect(a.recon).toBe('recon/latin1/caf\\xe9.png');
    expect(b.recon).toBe('recon/latin1/caf\\xe8.png');
    expect(a.metrics!.psnr).toBe(processed('photos/crops/face.png').metrics!.psnr);
    await expect(readFile(join(out, a.recon!))).resolves.toBeDefined();
  });

  it('reports the EXIF orientation of a phone photo and tokenizes its stored pixels, as the official code does', () => {
    const r = processed('photos/phone-exif6.jpg');
    expect(r.exifOrientation).toBe(6);
    expect([r.width, r.height]).toEqual([600, 400]);
    expect(r.health.map((f) => f.message)).toContainEqual(
      expect.stringMatching(/EXIF orientation 6 \(rotated 90° clockwise when displayed\) not applied/),
    );
    expect(run.summary.notes).toContainEqual(expect.stringMatching(/^1 file\(s\) carry an EXIF orientation tag/));
  });

  it('explains odd inputs: tiny upscale, 16-bit gray clipping, grayscale, alpha, 16-bit RGB', () => {
    expect(checks('odd/tiny-3x2.png')).toEqual(['warning:preprocess:upscaled-input']);
    expect(processed('odd/tiny-3x2.png').health[0].message).toMatch(/3x2 image .* upscaled ×112/);
    expect(checks('odd/gray-16bit.png')).toContain('warning:preprocess:input-format');
    // 200 + 60x + y ≥ 255 except at x = 0 and y < 55: 99.9% of the pixels clip to white.
    expect(processed('odd/gray-16bit.png').health.find((f) => f.severity === 'warning')!.message).toMatch(
      /16-bit grayscale PNG.* 99\.9% of the pixels became white/,
    );
    expect(checks('odd/cup-gray.png')).toEqual(['info:preprocess:input-format']);
    expect(processed('odd/cup-gray.png').health[0].message).toMatch(/grayscale: replicated/);
    expect(checks('odd/face-alpha.png')).toEqual(['info:preprocess:input-format']);
    expect(processed('odd/face-alpha.png').health[0].message).toMatch(/alpha channel dropped/);
    expect(checks('odd/face-16bit.png')).toEqual(['info:preprocess:input-format']);
    expect(processed('odd/face-16bit.png').health[0].message).toMatch(/high byte/);
  });

  it('PSNR and SSIM of the good images match values computed here from the written PNG and the crop', async () => {
    for (const [path, source] of sources) {
      const r = processed(path);
      const cropU8 = centerCropArr(source, R).image.data;
      const recon = await decodeImageFile(join(out, r.recon!));
      expect([recon.width, recon.height]).toEqual([R, R]);
      let se = 0;
      for (let i = 0; i < cropU8.length; i++) se += (cropU8[i] - recon.data[i]) ** 2;
      const psnr = 10 * Math.log10((255 * 255) / (se / cropU8.length));
      expect(r.metrics!.psnr).toBeCloseTo(psnr, 10);
      expect(r.metrics!.ssim).toBeCloseTo(
        bruteForceSsim(cropU8, recon.data, R, R, 3, gaussianTapsReference(), 255, false),
        10,
      );
      // The official PSNR differs from the standard one only by float32 rounding of (x+1)/2.
      expect(Math.abs(r.metrics!.official.psnr! - psnr)).toBeLessThan(1e-4);
      expect(r.metrics!.official.ssim).toBeGreaterThan(r.metrics!.ssim);
    }
  });

  it('writes reconstructions mirroring the input tree and the tokens of every scale, as the pipeline computes them', async () => {
    expect(processed('photos/crops/cup.jpg').recon).toBe('recon/photos/crops/cup.jpg.png');
    expect(processed('photos/crops/cup.png').recon).toBe('recon/photos/crops/cup.png');
    const model = await loadModelFromDir(ws.pkg());
    const tokens = TokenFileReader.open(join(out, 'tokens.bin'));
    try {
      expect(tokens.layout.scales).toEqual(model.manifest.scales);
      expect(tokens.layout.bytesPerIndex).toBe(2);
      expect(tokens.records).toBe([...records.values()].filter((r) => isProcessed(r)).length);
      const direct = await reconstructImage(model, sources.get('photos/crops/face.png')!);
      expect(Array.from(tokens.read(processed('photos/crops/face.png').tokens!))).toEqual(
        Array.from(direct.quantization.indices),
      );
      const read = (p: string) => Array.from(tokens.read(processed(p).tokens!));
      // Pillow's conversions give the same pixels, hence the same tokens: 16-bit high bytes,
      // dropped alpha, lossless WebP.
      expect(read('odd/face-16bit.png')).toEqual(read('photos/crops/face.png'));
      expect(read('odd/face-alpha.png')).toEqual(read('photos/crops/face.png'));
      expect(read('photos/crops/cup-lossless.webp')).toEqual(read('photos/crops/cup.png'));
      expect(read('photos/crops/cup.jpg')).not.toEqual(read('photos/crops/cup.png'));
    } finally {
      tokens.close();
      await model.runner.release();
    }
  });

  it('reports codebook usage per image and over the dataset', () => {
    const r = processed('photos/astronaut.png');
    expect(r.codebook!.tokens).toBe(561);
    expect(r.codebook!.K).toBe(2048);
    expect(r.codebook!.usage).toBe(r.codebook!.distinct / 2048);
    const s = run.summary;
    expect(s.codebook.dataset.images).toBe(goodImages);
    expect(s.codebook.dataset.distinct).toBeGreaterThanOrEqual(r.codebook!.distinct);
    expect(s.codebook.distinctHistogram.counts.reduce((a, b) => a + b, 0)).toBe(goodImages);
  });

  it('writes summary.json and a self-contained report.html with the worst and best images', async () => {
    const s = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as DatasetSummary;
    const n = goodImages;
    expect(s.files).toEqual({ total: n + 4, ok: n - 2, warning: 2, error: 0, unreadable: 2, skipped: 2 });
    expect(s.metrics.psnr.count).toBe(n);
    const psnrs = [...records.values()]
      .filter(isProcessed)
      .map((r) => r.metrics!.psnr!)
      .sort((a, b) => a - b);
    expect(s.metrics.psnr.min).toBe(psnrs[0]);
    expect(s.metrics.psnr.median).toBe(distribution(psnrs).median);
    expect(s.metrics.psnr.mean).toBeCloseTo(psnrs.reduce((a, b) => a + b, 0) / n, 10);
    expect(s.worst.map((b) => b.psnr)).toEqual(psnrs.slice(0, 8));
    expect(s.best.map((b) => b.psnr)).toEqual(psnrs.slice(-8).reverse());
    expect(s.notProcessed.map((n) => n.path)).toEqual([
      'bad/bomb.png',
      'bad/empty.jpg',
      'bad/truncated.png',
      'notes.txt',
    ]);
    expect(s.health.byFirstStage).toEqual({ preprocess: 2 });

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|src="(?!data:)/); // nothing to fetch
    // worst 8 + best 8 cards over the good images, an original and a reconstruction each
    // (the Latin-1 names' originals included: the report opens them by their bytes)
    expect(html.match(/<img src="data:image\/png;base64,/g)?.length).toBe(32);
    for (const p of ['bad/truncated.png', 'notes.txt', 'odd/gray-16bit.png']) expect(html).toContain(p);
    expect(html).toContain('SSIM, official eval (inflated)');
  });
});
