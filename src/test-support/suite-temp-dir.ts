/**
 * Test-only: a fresh temporary folder for one suite, made before its tests (and before the
 * suite's own beforeAll hooks, when called ahead of them) and removed with everything in it
 * after them. Call it inside describe(); the getter gives the path in hooks and tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export function suiteTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error(`the ${prefix}* temporary folder was read before beforeAll made it`);
    return dir;
  };
}
