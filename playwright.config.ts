import { defineConfig } from '@playwright/test';

// Headless WebGPU through SwiftShader needs these (see docs/browser-testing.md);
// Playwright's own --enable-features values are merged in so neither list is lost.
const webgpuArgs = [
  '--enable-unsafe-webgpu',
  '--use-angle=vulkan',
  '--use-vulkan=swiftshader',
  '--enable-features=Vulkan,CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies',
];
const quietArgs = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * The same Chromium without the WebGPU flags, for the specs of the fallback path (it blocklists
 * CPU adapters, so no adapter is offered); a spec needs `test.use` at top level for a launch of its own.
 */
export const launchWithoutWebGpu = { executablePath, args: quietArgs };
/**
 * The same Chromium on the machine's own Vulkan driver, for benchmarks on a real GPU: without
 * --use-vulkan=swiftshader it offers the hardware adapter where one exists (a software one otherwise).
 */
export const launchWithHardwareWebGpu = {
  executablePath,
  args: [...quietArgs, '--enable-unsafe-webgpu', '--use-angle=vulkan', '--enable-features=Vulkan'],
};
const port = Number(process.env.E2E_PORT ?? 4173);
/** Vite's dev server, for harness pages under e2e/harness/ that import src/ modules directly. */
export const harnessPort = Number(process.env.E2E_HARNESS_PORT ?? 5174);
/** The test build's own folder: a `vite build` into dist/ meanwhile (by a person or another run) must not swap files under the server. */
const testBuildDir = `.cache/e2e-dist-${port}`;

export default defineConfig({
  testDir: 'e2e',
  // Exports the fixture model packages the runtime specs share (e2e/runtime/package-set.ts).
  globalSetup: './e2e/runtime/global-setup.ts',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath, args: [...quietArgs, ...webgpuArgs] },
    screenshot: 'only-on-failure',
  },
  projects: [{ name: 'chromium' }],
  webServer: [
    {
      // The production build, as users get it, plus the runtime harness page (vite.config.ts).
      command:
        `TOKENFLOW_E2E_HARNESS=1 npx vite build --logLevel warn --outDir ${testBuildDir} --emptyOutDir && ` +
        `npx vite preview --outDir ${testBuildDir} --port ${port} --strictPort`,
      url: `http://127.0.0.1:${port}`,
      timeout: 180_000,
      reuseExistingServer: false,
    },
    {
      command: `npx vite --port ${harnessPort} --strictPort`,
      url: `http://127.0.0.1:${harnessPort}/e2e/harness/index.html`,
      timeout: 120_000,
      reuseExistingServer: false,
    },
  ],
});
