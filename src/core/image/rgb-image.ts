/**
 * The one in-memory image type of the core: 8-bit RGB, interleaved, row-major, no alpha.
 * It is what Pillow's mode "RGB" holds, which is all the official preprocessing ever sees
 * (`Image.open(path).convert('RGB')`), and it needs no DOM, so browser, Node and tests share it.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width·height·3 bytes: R,G,B of pixel (0,0), then (1,0), … row by row. */
  readonly data: Uint8Array;
}

/** An axis-aligned rectangle; integer for pixel crops, fractional when mapped back to a source image. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Builds an image, zero-filled unless `data` is given; checks that sizes and buffer agree. */
export function createRgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  checkSide('width', width);
  checkSide('height', height);
  const expected = width * height * 3;
  if (data !== undefined && data.length !== expected) {
    throw new Error(`RGB image ${width}x${height} needs ${expected} bytes but got ${data.length}`);
  }
  return { width, height, data: data ?? new Uint8Array(expected) };
}

/** Throws, naming `what`, unless `img` is a well-formed RgbImage (guards data crossing worker/file boundaries). */
export function assertRgbImage(img: RgbImage, what = 'image'): void {
  if (!Number.isInteger(img.width) || img.width < 0 || !Number.isInteger(img.height) || img.height < 0) {
    throw new Error(`${what}: invalid size ${String(img.width)}x${String(img.height)}`);
  }
  if (!(img.data instanceof Uint8Array) || img.data.length !== img.width * img.height * 3) {
    throw new Error(
      `${what}: ${img.width}x${img.height} RGB needs ${img.width * img.height * 3} bytes but has ${img.data?.length ?? 'no'} data`,
    );
  }
}

export function cloneRgbImage(img: RgbImage): RgbImage {
  return { width: img.width, height: img.height, data: img.data.slice() };
}

/** Copies the integer rectangle `box`, which must lie inside `img` (numpy slicing would silently shrink it). */
export function cropRgbImage(img: RgbImage, box: Box): RgbImage {
  const { x, y, width, height } = box;
  if (![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width < 0 || height < 0) {
    throw new Error(`crop box ${formatBox(box)} is not a non-negative integer rectangle`);
  }
  if (x + width > img.width || y + height > img.height) {
    throw new Error(`crop box ${formatBox(box)} does not fit in a ${img.width}x${img.height} image`);
  }
  const out = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let row = 0; row < height; row++) {
    const src = ((y + row) * img.width + x) * 3;
    out.set(img.data.subarray(src, src + rowBytes), row * rowBytes);
  }
  return { width, height, data: out };
}

/** The three bytes of pixel (x, y); for tests and probes, not for inner loops. */
export function pixelAt(img: RgbImage, x: number, y: number): [number, number, number] {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) {
    throw new Error(`pixel (${x}, ${y}) is outside a ${img.width}x${img.height} image`);
  }
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

export function formatBox(box: Box): string {
  return `(x=${box.x}, y=${box.y}, ${box.width}x${box.height})`;
}

function checkSide(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`RGB image ${name} must be a non-negative integer, got ${v}`);
}
