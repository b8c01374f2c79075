/**
 * Where an image comes in: drop, paste, file picker or a bundled example. The original is drawn
 * with the official centre crop (ADM center_crop_arr, from the encode) outlined on it.
 */
import { useEffect, useRef, useState } from 'react';
import { openExample, openFileList } from '../actions/open-image.ts';
import { EXAMPLES, exampleUrl } from '../examples.ts';
import { activeModel, usePlayground } from '../state/store.ts';
import { OrientationNote } from './OrientationNote.tsx';
import type { SourceImage } from '../state/types.ts';
import type { Box } from '../../core/image/rgb-image.ts';
import { count } from '../logic/plural.ts';
import { HiddenFileInput } from './HiddenFileInput.tsx';
import { InfoTip } from './InfoTip.tsx';

const PREVIEW_MAX = 480;

function OriginalWithCrop({
  image,
  crop,
  cropSize,
}: {
  readonly image: SourceImage;
  readonly crop?: Box;
  readonly cropSize?: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const scale = Math.min(1, PREVIEW_MAX / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * scale));
  const h = Math.max(1, Math.round(image.height * scale));
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(image.preview, 0, 0, w, h);
    if (!crop) return;
    const x = crop.x * scale;
    const y = crop.y * scale;
    const cw = crop.width * scale;
    const ch = crop.height * scale;
    // Dim what the model never sees, then outline the crop.
    ctx.fillStyle = 'rgba(0,0,0,0.45)';
    ctx.fillRect(0, 0, w, y);
    ctx.fillRect(0, y + ch, w, h - y - ch);
    ctx.fillRect(0, y, x, ch);
    ctx.fillRect(x + cw, y, w - x - cw, ch);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#ffd400';
    ctx.strokeRect(x + 1, y + 1, cw - 2, ch - 2);
  }, [image, crop, w, h, scale]);
  return (
    <figure className="original">
      <canvas
        ref={ref}
        width={w}
        height={h}
        role="img"
        aria-label={`${image.name}, ${image.width}×${image.height}${crop ? ', with the model’s centre crop outlined' : ''}`}
        data-testid="original"
        data-crop={crop ? `${crop.x},${crop.y},${crop.width},${crop.height}` : ''}
      />
      <figcaption>
        {image.name} — {image.width}×{image.height} {image.format.toUpperCase()}
        {crop && cropSize && (
          <>
            ; the model sees the outlined {Math.round(crop.width)}×{Math.round(crop.height)} square, resized to{' '}
            {cropSize}×{cropSize} (ADM centre crop)
          </>
        )}
        {image.translucentPixels > 0 && (
          <span className="note">
            {' '}
            · {count(image.translucentPixels, 'transparent pixel')} flattened onto white{' '}
            <InfoTip label="transparent pixels">
              The official code (Pillow's convert('RGB')) drops the alpha channel instead, keeping whatever colour
              transparent pixels store (often black).
            </InfoTip>
          </span>
        )}
      </figcaption>
    </figure>
  );
}

export function ImageInput() {
  const image = usePlayground((s) => s.image);
  const phase = usePlayground((s) => s.imagePhase);
  const error = usePlayground((s) => s.imageError);
  const model = usePlayground(activeModel);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  // Paste anywhere on the page, except into a text field (that is for token JSON or URLs).
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT')) return;
      const files = e.clipboardData?.files;
      if (files && files.length > 0) {
        e.preventDefault();
        void openFileList(files);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, []);

  const crop = model?.encoded?.crop;
  return (
    <section className="panel image-input" id="image" aria-labelledby="image-title">
      <h2 id="image-title" className="visually-hidden">
        Image
      </h2>
      <div className="image-input-body">
        <div
          className={`drop-zone${dragging ? ' dragging' : ''}`}
          data-testid="drop-zone"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void openFileList(e.dataTransfer.files);
          }}
        >
          <p>
            <strong>Drop or paste an image</strong>
            <span className="drop-extra"> (or a token .json, or a .pt / .safetensors checkpoint to convert)</span>, or{' '}
            <button type="button" onClick={() => picker.current?.click()}>
              choose a file
            </button>
            <HiddenFileInput
              ref={picker}
              id="image-file"
              accept="image/*,.json"
              label="Choose an image file"
              onFiles={(files) => void openFileList(files)}
            />
          </p>
          <div className="examples" role="group" aria-label="Example photos">
            <span>Examples:</span>
            {EXAMPLES.map((ex) => (
              <button
                key={ex.id}
                type="button"
                className="example"
                onClick={() => void openExample(ex.id)}
                title={ex.credit}
                data-example={ex.id}
              >
                <img src={exampleUrl(ex)} alt="" width={36} height={36} />
                {ex.title}
              </button>
            ))}
          </div>
        </div>
        {image && <OriginalWithCrop image={image} crop={crop?.sourceBox} cropSize={model?.manifest?.inputSize} />}
      </div>
      {phase === 'running' && <p aria-live="polite">Decoding the image…</p>}
      {error && (
        <p className="error" role="alert" data-testid="image-error">
          {error}
        </p>
      )}
      {image?.orientation && <OrientationNote orientation={image.orientation} />}
      {image && !crop && model?.phase === 'ready' && <p className="note">Finding the model's centre crop…</p>}
      {image && !model && <p className="note">Load a model to tokenize this image.</p>}
      {image && (
        <p
          className="note image-facts"
          data-testid="image-facts"
          data-width={image.width}
          data-height={image.height}
          data-rgb-checksum={image.checksum}
        >
          Embedded colour profiles are ignored, as the official code's loader does.
        </p>
      )}
    </section>
  );
}
