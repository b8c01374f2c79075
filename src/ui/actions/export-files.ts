/**
 * User actions: download the tokens (JSON, the format paste-tokens reads back), the
 * reconstruction (PNG, exactly the uint8 pixels the official conversion gives) and the metrics
 * (JSON, each value labelled with how it was computed).
 */
import { createTokenFile, serializeTokenFile } from '../logic/token-json.ts';
import { rgbToRgba } from '../logic/flatten-alpha.ts';
import { activeModel, getState } from '../state/store.ts';
import type { ModelView } from '../state/types.ts';

function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function baseName(m: ModelView): string {
  const image = getState().image?.name.replace(/\.[^.]+$/, '') ?? 'tokens';
  const model = (m.manifest?.name ?? 'model')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${image}.${model}`;
}

export function exportTokens(m: ModelView | undefined = activeModel(getState())): void {
  if (!m?.manifest || !m.tokens) throw new Error('there are no tokens to export yet');
  const s = getState();
  const file = createTokenFile({
    manifest: m.manifest,
    indices: m.tokens,
    weights: m.tokenSource === 'pasted' ? undefined : s.weights,
    image: m.tokenSource === 'pasted' ? undefined : s.image?.name,
    imageOrientation: m.tokenSource === 'pasted' ? undefined : s.image?.orientation,
    edited: m.edits.size > 0,
  });
  download(new Blob([serializeTokenFile(file)], { type: 'application/json' }), `${baseName(m)}.tokens.json`);
}

export async function exportReconstruction(m: ModelView | undefined = activeModel(getState())): Promise<void> {
  const r = m?.recon?.result;
  if (!m || !r) throw new Error('there is no reconstruction to export yet');
  const size = r.outputSize;
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2D canvas to encode the PNG');
  ctx.putImageData(new ImageData(rgbToRgba({ width: size, height: size, data: r.imageU8 }), size, size), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  download(blob, `${baseName(m)}.recon-${m.recon!.scalesUsed}-scales.png`);
}

export function exportMetrics(m: ModelView | undefined = activeModel(getState())): void {
  const recon = m?.recon;
  if (!m?.manifest || !recon) throw new Error('there is no reconstruction to measure yet');
  const s = getState();
  const json = {
    model: {
      name: m.manifest.name,
      url: m.url,
      variant: m.manifest.variant,
      scales: m.manifest.scales,
      codebookSize: m.manifest.codebookSize,
    },
    image: s.image?.name,
    ...(s.image?.orientation
      ? {
          imageOrientation: {
            ...s.image.orientation,
            about: 'applied: pixels turned as displayed; false: stored pixels, as the official code reads them',
          },
        }
      : {}),
    tokens: recon.from,
    scalesUsed: recon.scalesUsed,
    weights: s.weights,
    backend: recon.result.backend,
    metrics: recon.metrics
      ? {
          psnr: {
            value: recon.metrics.psnr,
            about: 'dB, uint8 reconstruction vs the uint8 official crop, data range 255',
          },
          ssim: { value: recon.metrics.ssim, about: 'Gaussian window σ=1.5, data range 255 (Wang et al.)' },
          officialPsnr: {
            value: recon.metrics.officialPsnr,
            about: "the official evaluation's PSNR: [0,1] float images, data range 1",
          },
          officialSsim: {
            value: recon.metrics.officialSsim,
            about:
              "the official evaluation's SSIM: 7×7 uniform window, data_range 2.0 on [0,1] images, which inflates it",
          },
        }
      : null,
    health: recon.result.health,
    timings: { encode: m.encoded?.timings, decode: recon.result.timings },
  };
  download(
    new Blob([JSON.stringify(json, (_, v) => (v === Infinity ? 'Infinity' : v), 2)], { type: 'application/json' }),
    `${baseName(m)}.metrics.json`,
  );
}
