/** The UI's side of page.worker.ts: one promise per request, typed by kind. */
import { CheckpointDroppedError, type DecodedImage, type DecodeOptions } from '../image/decode-image.ts';
import type { CodebookName, CodeColours } from '../logic/code-colours.ts';
import type { Metrics } from '../logic/reconstruction-metrics.ts';

export type PageRequest =
  | { readonly kind: 'decode-image'; readonly file: Blob; readonly name: string; readonly options?: DecodeOptions }
  | { readonly kind: 'metrics'; readonly crop: Uint8Array; readonly recon: Uint8Array; readonly size: number }
  | { readonly kind: 'colours'; readonly codebook: CodebookName; readonly rows: Float32Array; readonly dim: number };

export type PageResult =
  | { readonly kind: 'decode-image'; readonly decoded: DecodedImage }
  | { readonly kind: 'metrics'; readonly metrics: Metrics }
  | { readonly kind: 'colours'; readonly colours: CodeColours };

export type PageReply =
  | { readonly id: number; readonly ok: true; readonly result: PageResult }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };

type ResultFor<K extends PageRequest['kind']> = Extract<PageResult, { kind: K }>;

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<
  number,
  { resolve: (r: PageResult) => void; reject: (e: Error) => void; request: PageRequest }
>();

function start(): Worker {
  const w = new Worker(new URL('./page.worker.ts', import.meta.url), { type: 'module', name: 'playground-page' });
  w.onmessage = (e: MessageEvent<PageReply>) => {
    const reply = e.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else if (reply.name === 'CheckpointDroppedError' && p.request.kind === 'decode-image')
      p.reject(new CheckpointDroppedError(p.request.name));
    else p.reject(new Error(reply.message));
  };
  w.onerror = (e) => {
    for (const p of pending.values())
      p.reject(new Error(`the page's helper worker failed (${e.message || 'see the console'})`));
    pending.clear();
    worker = undefined;
  };
  return w;
}

function request<K extends PageRequest['kind']>(req: Extract<PageRequest, { kind: K }>): Promise<ResultFor<K>> {
  worker ??= start();
  const id = nextId++;
  const w = worker;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (r: PageResult) => void, reject, request: req });
    w.postMessage({ id, request: req });
  });
}

/** Decodes a file off the UI thread; rejects with a message that starts with the file's name. */
export async function decodeImageInWorker(file: Blob, name: string, options?: DecodeOptions): Promise<DecodedImage> {
  return (await request({ kind: 'decode-image', file, name, options })).decoded;
}

export async function metricsInWorker(crop: Uint8Array, recon: Uint8Array, size: number): Promise<Metrics> {
  return (await request({ kind: 'metrics', crop, recon, size })).metrics;
}

export async function coloursInWorker(codebook: CodebookName, rows: Float32Array, dim: number): Promise<CodeColours> {
  return (await request({ kind: 'colours', codebook, rows, dim })).colours;
}
