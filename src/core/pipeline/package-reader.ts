/**
 * Reading a model package's files wherever they live (a folder in Node, a URL or Cache Storage
 * in the browser), always checked against the manifest's size and sha256: a truncated download
 * or a stale cache entry must fail loudly, not decode garbage.
 */
import { fileEntry, type ModelManifest } from '../model-package/manifest.ts';
import { parseManifest } from '../model-package/manifest.ts';
import { sha256Hex } from '../bytes/sha256.ts';

export interface PackageReader {
  /** A folder path or base URL, for messages. */
  readonly location: string;
  readFile(path: string): Promise<Uint8Array>;
  /**
   * True when `path`'s sha256 was checked against the manifest when it was stored (a browser
   * download is hashed once, then trusted): readVerified then checks only its size, so a
   * 1.4 GB package is not hashed again on every visit.
   */
  verifiedWhenStored?(path: string): boolean;
  /**
   * Hashes a file that was trusted without hashing (after its graph failed to load, say); true
   * when it was damaged and has been dropped, so the next readFile fetches a good copy.
   */
  recheck?(path: string): Promise<boolean>;
}

export async function readManifest(reader: PackageReader): Promise<ModelManifest> {
  const bytes = await reader.readFile('manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${reader.location}/manifest.json is not valid JSON: ${(e as Error).message}`);
  }
  return parseManifest(json, `${reader.location}/manifest.json`);
}

/** Reads a listed file and checks its size and sha256. */
export async function readVerified(reader: PackageReader, manifest: ModelManifest, path: string): Promise<Uint8Array> {
  const entry = fileEntry(manifest, path);
  const bytes = await reader.readFile(path);
  if (bytes.byteLength !== entry.bytes) {
    throw new Error(
      `${reader.location}/${path} has ${bytes.byteLength} bytes, the manifest says ${entry.bytes} (truncated or replaced file)`,
    );
  }
  if (reader.verifiedWhenStored?.(path)) return bytes;
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256) {
    throw new Error(
      `${reader.location}/${path} has sha256 ${hash}, the manifest says ${entry.sha256} (corrupt or replaced file)`,
    );
  }
  return bytes;
}
