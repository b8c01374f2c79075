/**
 * Reading an HTTP (or Cache Storage) response body chunk by chunk into one buffer of the size
 * the manifest promises, reporting bytes as they arrive. A model file can be gigabytes:
 * `response.arrayBuffer()` would hold the whole body twice at its peak and say nothing until
 * the end, and a server that sends more or fewer bytes than the manifest says must fail here,
 * naming the file, not later as a garbled graph.
 */

import { readChunksUpTo } from '../core/bytes/read-chunks.ts';

export type BytesCallback = (loaded: number, total: number) => void;

/**
 * @param expectedBytes the manifest's size; undefined for files the manifest does not list
 *   (manifest.json itself), which are small and collected chunk by chunk.
 * @param where the URL or path, for error messages.
 */
export async function readBody(
  response: Response,
  expectedBytes: number | undefined,
  where: string,
  onBytes?: BytesCallback,
): Promise<Uint8Array> {
  const declared = declaredLength(response);
  if (expectedBytes !== undefined && declared !== undefined && declared !== expectedBytes) {
    throw new Error(
      `${where}: the server sends ${declared} bytes (Content-Length), the manifest says ${expectedBytes} (stale or replaced file)`,
    );
  }
  const total = expectedBytes ?? declared;
  if (!response.body) {
    // Only bodiless fakes and HEAD-like responses get here; real fetches always stream.
    const bytes = new Uint8Array(await response.arrayBuffer());
    check(bytes.byteLength, expectedBytes, where);
    onBytes?.(bytes.byteLength, bytes.byteLength);
    return bytes;
  }
  const reader = response.body.getReader();
  try {
    if (total !== undefined && expectedBytes !== undefined)
      return await readInto(reader, new Uint8Array(expectedBytes), where, onBytes);
    return await collect(reader, total, where, onBytes);
  } finally {
    reader.releaseLock();
  }
}

/**
 * Streams a body of exactly `expectedBytes` into `write`, chunk by chunk, holding no more than
 * one chunk: how a gigabyte download goes to disk. Fails naming the file on a size mismatch.
 */
export async function pipeBody(
  response: Response,
  expectedBytes: number,
  where: string,
  write: (chunk: Uint8Array) => Promise<void>,
  onBytes?: BytesCallback,
): Promise<void> {
  const declared = declaredLength(response);
  if (declared !== undefined && declared !== expectedBytes) {
    throw new Error(
      `${where}: the server sends ${declared} bytes (Content-Length), the manifest says ${expectedBytes} (stale or replaced file)`,
    );
  }
  if (!response.body) throw new Error(`${where}: the response has no body`);
  const reader = response.body.getReader();
  let loaded: number;
  try {
    loaded = await readChunksUpTo(
      reader,
      expectedBytes,
      () => tooLong(where, expectedBytes),
      async (chunk, at) => {
        await write(chunk);
        onBytes?.(at + chunk.byteLength, expectedBytes);
      },
    );
  } finally {
    reader.releaseLock();
  }
  check(loaded, expectedBytes, where);
  if (expectedBytes === 0) onBytes?.(0, 0);
}

async function readInto(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  out: Uint8Array,
  where: string,
  onBytes?: BytesCallback,
): Promise<Uint8Array> {
  const loaded = await readChunksUpTo(
    reader,
    out.byteLength,
    () => tooLong(where, out.byteLength),
    (chunk, at) => {
      out.set(chunk, at);
      onBytes?.(at + chunk.byteLength, out.byteLength);
    },
  );
  check(loaded, out.byteLength, where);
  if (out.byteLength === 0) onBytes?.(0, 0);
  return out;
}

async function collect(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  declared: number | undefined,
  where: string,
  onBytes?: BytesCallback,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onBytes?.(loaded, Math.max(declared ?? 0, loaded));
  }
  if (declared !== undefined) check(loaded, declared, where);
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  if (loaded === 0) onBytes?.(0, 0);
  return out;
}

/** Content-Length, unless the body is content-encoded (then the header counts compressed bytes). */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return undefined;
  const header = response.headers.get('content-length');
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function tooLong(where: string, expected: number): Error {
  return new Error(`${where}: the body is longer than the manifest's ${expected} bytes (stale or replaced file)`);
}

function check(got: number, expected: number | undefined, where: string): void {
  if (expected !== undefined && got !== expected) {
    throw new Error(
      `${where}: received ${got} bytes, expected ${expected} (the download was cut short or the file was replaced)`,
    );
  }
}
