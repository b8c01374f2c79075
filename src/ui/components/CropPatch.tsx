/**
 * Small pictures of tokens: the rectangle of the crop a token summarises (its area footprint,
 * token-layout.ts), drawn from one ImageBitmap of the crop, or a whole small image (a code
 * decoded alone) scaled down.
 */
import { useEffect, useRef, useState } from 'react';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import { rgbaOf } from '../logic/flatten-alpha.ts';
import { tokenFootprint, type TokenLayout, type TokenPosition } from '../logic/token-layout.ts';

/** The crop as one ImageBitmap (made off the UI thread); every patch draws a rectangle of it. */
export function useCropBitmap(crop: RgbImage | undefined): ImageBitmap | undefined {
  const [bitmap, setBitmap] = useState<{ crop: RgbImage; bitmap: ImageBitmap }>();
  useEffect(() => {
    if (!crop) return;
    let live = true;
    void createImageBitmap(new ImageData(rgbaOf(crop), crop.width, crop.height)).then((b) => {
      if (live) setBitmap({ crop, bitmap: b });
      else b.close();
    });
    return () => {
      live = false;
    };
  }, [crop]);
  return bitmap && bitmap.crop === crop ? bitmap.bitmap : undefined;
}

export function CropPatch({
  crop,
  layout,
  position,
  px,
}: {
  readonly crop: ImageBitmap;
  readonly layout: TokenLayout;
  readonly position: TokenPosition;
  readonly px: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { scaleIndex, row, col } = position;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const box = tokenFootprint(layout, { scaleIndex, row, col }, crop.width);
    ctx.imageSmoothingEnabled = box.width > px;
    ctx.drawImage(crop, box.x, box.y, box.width, box.height, 0, 0, px, px);
  }, [crop, layout, scaleIndex, row, col, px]);
  return <canvas ref={ref} width={px} height={px} aria-hidden="true" className="patch" />;
}

/** A whole image drawn at px×px (a code decoded alone). */
export function ImagePatch({ image, px }: { readonly image: RgbImage; readonly px: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    void createImageBitmap(new ImageData(rgbaOf(image), image.width, image.height)).then((b) => {
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(b, 0, 0, px, px);
      b.close();
    });
  }, [image, px]);
  return <canvas ref={ref} width={px} height={px} aria-hidden="true" className="patch decoded-alone" />;
}

/** An object URL of an RGB image as PNG (for CSS backgrounds), revoked when the image changes. */
export function useImageUrl(image: RgbImage | undefined): string | undefined {
  const [url, setUrl] = useState<{ image: RgbImage; url: string }>();
  useEffect(() => {
    if (!image) return;
    let live = true;
    let made: string | undefined;
    const canvas = new OffscreenCanvas(image.width, image.height);
    canvas.getContext('2d')?.putImageData(new ImageData(rgbaOf(image), image.width, image.height), 0, 0);
    void canvas.convertToBlob({ type: 'image/png' }).then((blob) => {
      made = URL.createObjectURL(blob);
      if (live) setUrl({ image, url: made });
      else URL.revokeObjectURL(made);
    });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [image]);
  return url && url.image === image ? url.url : undefined;
}
