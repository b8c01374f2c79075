import { describe, expect, it } from 'vitest';
import { checkParity, PARITY_TOLERANCE } from './parity-check.ts';
import { createParams, layoutFor } from './params.ts';
import { startBackend } from './tf-backend.ts';
import { TINY_CONFIG, TINY_SEMANTIC_DECODER } from './tiny-config.ts';

// The network we train in tfjs must be the one the exporter ships: same weights, same outputs.
describe('trainer forward pass vs exported ONNX package', () => {
  it('agrees for the semantic encoder, pixel encoder and pixel decoder', async () => {
    await startBackend();
    const checks = await checkParity(createParams(layoutFor(TINY_CONFIG, TINY_SEMANTIC_DECODER)));
    expect(checks.map((c) => c.name)).toEqual(['semantic encoder', 'pixel encoder', 'pixel decoder']);
    for (const c of checks) expect(c.relative, c.name).toBeLessThan(PARITY_TOLERANCE);
  });
});
