/**
 * Times the GPU quantizer (both kernels) against the CPU reference on the same input in the
 * same headless Chromium, with the WebGPU flags of playwright.config.ts. Prints figures; not a
 * test. The first call of each kernel (compiling) is untimed.
 *   npx tsx e2e/bench/gpu-quantizer-bench.ts [runs] [--no-released]
 * --no-released skips the released-size random case (K = 32768, 817 tokens), which takes
 * minutes on SwiftShader.
 */
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import playwrightConfig from '../../playwright.config.ts';
import { createCodebooks, type Codebooks } from '../../src/core/quantizer/index.ts';
import { fixtureConfig, fixtureFeatures, loadFixtureCodebooks } from '../../src/test-support/quantizer-fixtures.ts';
import { HARNESS_PATH, quantizeInPage, type QuantizeOutput } from '../support/gpu-quantizer-client.ts';
import { randomArray } from '../../src/test-support/random.ts';

interface BenchCase {
  readonly name: string;
  readonly codebooks: Codebooks;
  readonly S: number;
  readonly scales: readonly number[];
  readonly h: Float32Array;
}

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const released = !args.includes('--no-released');

function randomCase(name: string, K: number, S: number, scales: number[]): BenchCase {
  const codebooks = createCodebooks(randomArray(K * 32, 1), 32, randomArray(K * 8, 2), 8);
  return { name, codebooks, S, scales, h: randomArray(40 * S * S, 3) };
}

async function clip224Case(): Promise<BenchCase> {
  const { S, scales } = fixtureConfig('clip-224');
  return {
    name: 'clip-224 fixture (astronaut)',
    codebooks: await loadFixtureCodebooks('clip-224'),
    S,
    scales,
    h: fixtureFeatures('clip-224', 'astronaut'),
  };
}

function seconds(ms: readonly number[]): string {
  return `${ms.map((t) => (t / 1000).toFixed(2)).join(' s, ')} s (best ${(Math.min(...ms) / 1000).toFixed(2)} s)`;
}

function report(c: BenchCase, out: QuantizeOutput): void {
  const tokens = c.scales.reduce((n, s) => n + s * s, 0);
  const gmacs = (tokens * c.codebooks.size * (c.codebooks.semanticDim + c.codebooks.pixelDim)) / 1e9;
  console.log(
    `\n${c.name}: K=${c.codebooks.size}, S=${c.S}, ${c.scales.length} scales, ${tokens} tokens (${gmacs.toFixed(2)} G multiply-adds)`,
  );
  for (const r of out.runs) {
    console.log(
      `  GPU ${r.kernel.padEnd(6)} (${r.codesPerChunk} codes/chunk): ${seconds(r.ms)}; setup ${r.setupMs.toFixed(0)} ms`,
    );
  }
  if (out.cpu) console.log(`  CPU reference (JS, same page): ${seconds(out.cpu.ms)}`);
  const [a, b] = out.runs;
  if (a && b) {
    const same = a.result.indices.every((k, i) => k === b.result.indices[i]);
    console.log(`  simple and tiled indices ${same ? 'identical' : 'DIFFER'}`);
  }
}

async function main(): Promise<void> {
  const server = await createServer({ logLevel: 'warn', server: { port: 5190, strictPort: false, host: '127.0.0.1' } });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('Vite dev server did not report a local URL');
  const browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(new URL(HARNESS_PATH, base).href);
    const cases: BenchCase[] = [await clip224Case()];
    if (released)
      cases.push(randomCase('released size (CLIP@256), random', 32768, 16, [1, 2, 4, 6, 8, 10, 12, 14, 16]));
    let adapterNoted = false;
    for (const c of cases) {
      const repeats = c.codebooks.size > 4096 ? 1 : runs;
      const out = await quantizeInPage(page, {
        codebooks: c.codebooks,
        S: c.S,
        scales: c.scales,
        h: c.h,
        runs: [
          { kernel: 'simple', repeats },
          { kernel: 'tiled', repeats },
        ],
        cpuReference: { repeats },
      });
      if (!adapterNoted) {
        const a = out.adapter;
        console.log(
          `Adapter: ${a.vendor} ${a.architecture}${a.isFallbackAdapter ? ' (fallback: a CPU implementation)' : ''}`,
        );
        if (a.isFallbackAdapter) {
          console.log(
            'SwiftShader runs "GPU" kernels on the CPU, so WebGPU is expected to lose to the plain JS reference here;\n' +
              'these numbers show that the kernels run and what the fallback costs, not what a real GPU does.',
          );
        }
        adapterNoted = true;
      }
      report(c, out);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
