import { defineConfig } from '@playwright/test';

// Headless WebGPU through SwiftShader needs these (see ../shared/design/browser-testing.md);
// Playwright's own --enable-features values are merged in so neither list is lost.
const webgpuArgs = [
  '--enable-unsafe-webgpu',
  '--use-angle=vulkan',
  '--use-vulkan=swiftshader',
  '--enable-features=Vulkan,CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies',
];
const quietArgs = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const port = Number(process.env.E2E_PORT ?? 4173);
/** Vite's dev server, for harness pages under e2e/harness/ that import src/ modules directly. */
export const harnessPort = Number(process.env.E2E_HARNESS_PORT ?? 5174);

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...quietArgs, ...webgpuArgs] },
    screenshot: 'only-on-failure',
  },
  projects: [{ name: 'chromium' }],
  webServer: [
    {
      // The production build, as users get it.
      command: `npx vite build --logLevel warn && npx vite preview --port ${port} --strictPort`,
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
