/**
 * Benchmark (run on purpose): SHA-256 throughput of the two incremental hashers the exporter
 * uses — hash-wasm (browser and Node) and node:crypto (Node's exporter) — over 1 MiB chunks, the
 * way a package file streams out.
 *
 *   npm run bench:hash -- [--mib 512]
 */
import { parseArgs } from 'node:util';
import { createSha256, type Sha256Factory } from '../../src/core/bytes/sha256.ts';
import { nodeSha256 } from '../../src/node/node-sha256.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' } } });
const mib = Number(values.mib);
if (!Number.isInteger(mib) || mib < 1) throw new Error(`--mib must be a positive integer, got ${values.mib}`);

const chunk = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
for (const [name, factory] of [
  ['hash-wasm', createSha256],
  ['node:crypto', nodeSha256],
] as [string, Sha256Factory][]) {
  const hash = await factory();
  const start = performance.now();
  for (let i = 0; i < mib; i++) hash.update(chunk);
  hash.digestHex();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${name.padEnd(12)} ${((mib * 1.048576) / seconds).toFixed(0).padStart(5)} MB/s  (${mib} MiB in ${seconds.toFixed(2)} s)`,
  );
}
