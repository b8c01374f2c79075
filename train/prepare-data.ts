/**
 * npm run train:data — reproducible training data: downloads the wallpaper packages listed in
 * data-sources.ts (apt-get download, no installation), unpacks them, and caches random
 * 256×256 RGB crops at several scales as one raw uint8 file (N×256×256×3) plus a JSON index.
 * The trainer cuts its 128 crops out of these, and fine-tunes on them at full 256.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeImageFile } from '../src/node/image-io.ts';
import { pilResize } from '../src/core/image/pil-resize.ts';
import { cropRgbImage, type RgbImage } from '../src/core/image/rgb-image.ts';
import {
  CACHE_DIR,
  CROPS_FILE,
  CROPS_META,
  CROP_SIDE,
  DEB_DIR,
  FORBIDDEN_IN_TRAINING,
  SOURCES,
  UNPACK_DIR,
  type ImageSource,
} from './data-sources.ts';
import { mulberry32 } from '../src/core/seeded-random.ts';

/** Short sides (px) an image is scaled to before cropping: from "whole scene in one crop" to detail. */
const SCALES = [256, 320, 448, 640];
const CROPS_PER_SCALE = 4;
const SEED = 20261127;

export function ensureUnpacked(src: ImageSource): string {
  mkdirSync(DEB_DIR, { recursive: true });
  let deb = readdirSync(DEB_DIR).find((f) => f.startsWith(`${src.pkg}_`) && f.endsWith('.deb'));
  if (!deb) {
    execFileSync('apt-get', ['download', src.pkg], { cwd: DEB_DIR, stdio: 'inherit' });
    deb = readdirSync(DEB_DIR).find((f) => f.startsWith(`${src.pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${src.pkg} produced no .deb in ${DEB_DIR}`);
  }
  const dest = join(UNPACK_DIR, deb.replace(/\.deb$/, ''));
  if (!existsSync(dest)) execFileSync('dpkg', ['-x', join(DEB_DIR, deb), dest], { stdio: 'inherit' });
  return dest;
}

export function listImages(root: string, only?: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(jpe?g|png)$/i.test(e.name) && (!only || only.includes(e.name))) out.push(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}

/**
 * Wallpaper packages ship one picture at several resolutions (Plasma: contents/images/WxH.jpg;
 * MATE: Name_WxH.jpg). Keep the largest file of each picture so none is over-represented.
 */
function dedupe(paths: string[]): string[] {
  const best = new Map<string, string>();
  for (const p of paths) {
    const key = p.replace(/\/contents\/(images[^/]*)\/[^/]+$/, '/$1').replace(/_\d+x\d+(\.\w+)$/, '$1');
    const prev = best.get(key);
    if (!prev || statSync(p).size > statSync(prev).size) best.set(key, p);
  }
  return [...best.values()].sort();
}

/** Halves with a box filter while the short side is ≥ 2·target (as center_crop_arr), then bicubic to the target short side. */
function scaleShortSide(img: RgbImage, target: number): RgbImage {
  let cur = img;
  while (Math.min(cur.width, cur.height) >= 2 * target)
    cur = pilResize(cur, Math.floor(cur.width / 2), Math.floor(cur.height / 2), 'box');
  const s = target / Math.min(cur.width, cur.height);
  return pilResize(
    cur,
    Math.max(target, Math.round(cur.width * s)),
    Math.max(target, Math.round(cur.height * s)),
    'bicubic',
  );
}

export interface CropIndex {
  readonly side: number;
  readonly count: number;
  readonly trainCount: number;
  /** Crops [trainCount, count) come from validation sources. */
  readonly images: { readonly path: string; readonly pkg: string; readonly use: string; readonly crops: number }[];
  readonly packages: { readonly pkg: string; readonly deb: string; readonly copyright: string }[];
}

async function main(): Promise<void> {
  const rand = mulberry32(SEED);
  const chunks: Uint8Array[] = [];
  const images: CropIndex['images'][number][] = [];
  const packages: CropIndex['packages'][number][] = [];
  let trainCount = 0;
  for (const use of ['train', 'validation'] as const) {
    for (const src of SOURCES.filter((s) => s.use === use)) {
      const root = ensureUnpacked(src);
      packages.push({
        pkg: src.pkg,
        deb: relative(CACHE_DIR, root),
        copyright: join(relative(CACHE_DIR, root), 'usr/share/doc', src.pkg, 'copyright'),
      });
      const files = dedupe(listImages(join(root, src.imageDir), src.only));
      for (const path of files) {
        if (FORBIDDEN_IN_TRAINING.some((f) => path.toLowerCase().includes(`/${f}`)))
          throw new Error(`${path}: held-out evaluation photos must never be trained on`);
        let img: RgbImage;
        try {
          img = await decodeImageFile(path);
        } catch (e) {
          console.warn(`skip ${path}: ${(e as Error).message}`);
          continue;
        }
        let n = 0;
        for (const target of SCALES) {
          if (Math.min(img.width, img.height) < target) continue;
          const scaled = scaleShortSide(img, target);
          for (let c = 0; c < CROPS_PER_SCALE; c++) {
            const x = Math.floor(rand() * (scaled.width - CROP_SIDE + 1));
            const y = Math.floor(rand() * (scaled.height - CROP_SIDE + 1));
            chunks.push(cropRgbImage(scaled, { x, y, width: CROP_SIDE, height: CROP_SIDE }).data);
            n++;
          }
        }
        images.push({ path: relative(CACHE_DIR, path), pkg: src.pkg, use, crops: n });
        if (use === 'train') trainCount += n;
        console.log(
          `${src.pkg}: ${relative(root, path)} ${img.width}x${img.height} → ${n} crops (total ${chunks.length})`,
        );
      }
    }
  }
  const all = new Uint8Array(chunks.length * CROP_SIDE * CROP_SIDE * 3);
  chunks.forEach((c, i) => all.set(c, i * c.length));
  writeFileSync(CROPS_FILE, all);
  const index: CropIndex = { side: CROP_SIDE, count: chunks.length, trainCount, images, packages };
  writeFileSync(CROPS_META, JSON.stringify(index, null, 1));
  console.log(
    `wrote ${chunks.length} crops (${trainCount} train, ${chunks.length - trainCount} validation) to ${CROPS_FILE}`,
  );
}

export function readCropIndex(): CropIndex {
  if (!existsSync(CROPS_META)) throw new Error(`no training data at ${CROPS_META}: run npm run train:data first`);
  return JSON.parse(readFileSync(CROPS_META, 'utf8')) as CropIndex;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(`train:data: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
