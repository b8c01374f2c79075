/** Draws an RGB image (the core's layout) or RGBA pixels onto a canvas, at its own size. */
import { useEffect, useRef } from 'react';
import type { RgbImage } from '../../core/image/rgb-image.ts';
import { rgbaOf } from '../logic/flatten-alpha.ts';

interface Props {
  readonly image?: RgbImage;
  readonly rgba?: { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray<ArrayBuffer> };
  readonly label: string;
  readonly className?: string;
  readonly style?: React.CSSProperties;
  readonly testId?: string;
}

export function RgbCanvas({ image, rgba, label, className, style, testId }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const width = image?.width ?? rgba?.width ?? 0;
  const height = image?.height ?? rgba?.height ?? 0;
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!ctx || width === 0) return;
    const pixels = image ? rgbaOf(image) : rgba!.data;
    ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
  }, [image, rgba, width, height]);
  // An empty label marks a picture whose meaning the surrounding control already says.
  const a11y = label === '' ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label };
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      {...a11y}
      className={className}
      style={style}
      data-testid={testId}
    />
  );
}
