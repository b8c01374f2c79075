/**
 * Where the training and evaluation images come from: Debian packages, fetched with
 * `apt-get download` and unpacked with `dpkg -x` into train/.cache (git-ignored), never installed.
 * One list, read by the data script, the evaluation and the model card.
 */
import { join } from 'node:path';

export const CACHE_DIR = join(import.meta.dirname, '.cache');
export const DEB_DIR = join(CACHE_DIR, 'debs');
export const UNPACK_DIR = join(CACHE_DIR, 'x');
export const CROPS_FILE = join(CACHE_DIR, 'crops-256.u8');
export const CROPS_META = join(CACHE_DIR, 'crops-256.json');
export const CROP_SIDE = 256;

export type SourceUse = 'train' | 'validation' | 'evaluation';

export interface ImageSource {
  readonly pkg: string;
  readonly use: SourceUse;
  /** Folder inside the unpacked package that holds its images. */
  readonly imageDir: string;
  /** Restricts evaluation sources to real photographs (the scikit data folder also holds synthetic test patterns). */
  readonly only?: readonly string[];
}

export const SOURCES: readonly ImageSource[] = [
  { pkg: 'plasma-workspace-wallpapers', use: 'train', imageDir: 'usr/share/wallpapers' },
  { pkg: 'mate-backgrounds', use: 'train', imageDir: 'usr/share/backgrounds/mate' },
  { pkg: 'ukui-wallpapers', use: 'train', imageDir: 'usr/share/backgrounds' },
  // Held out from training: the PSNR printed while training is measured on these.
  { pkg: 'lomiri-wallpapers-20.04', use: 'validation', imageDir: 'usr/share/backgrounds' },
  // Never trained on (the project's held-out evaluation photos: scikit-image and scikit-learn samples).
  // Every photograph, colour or grey; left out are synthetic images (chessboards, palettes, logo,
  // phantom, silhouettes), microaneurysms.png (102 px, smaller than the model's input), the right
  // view of the motorcycle stereo pair (a near copy of the left) and truncated.jpg (a broken file).
  {
    pkg: 'python3-skimage',
    use: 'evaluation',
    imageDir: 'usr/lib/python3/dist-packages/skimage/data',
    only: [
      'astronaut.png',
      'coffee.png',
      'chelsea.png',
      'rocket.jpg',
      'motorcycle_left.png',
      'hubble_deep_field.jpg',
      'ihc.png',
      'retina.jpg',
      'camera.png',
      'moon.png',
      'coins.png',
      'brick.png',
      'grass.png',
      'gravel.png',
      'cell.png',
      'clock_motion.png',
      'page.png',
      'text.png',
    ],
  },
  {
    pkg: 'python3-sklearn',
    use: 'evaluation',
    imageDir: 'usr/lib/python3/dist-packages/sklearn/datasets/images',
    only: ['china.jpg', 'flower.jpg'],
  },
];

/** Photo collections the brief forbids training on; the data script refuses any path under them. */
export const FORBIDDEN_IN_TRAINING = ['skimage', 'sklearn', 'darknet', 'opencv', 'cv2'];
