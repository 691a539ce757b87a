import { defineConfig } from '@playwright/test';

// Debian's Chromium (playwright's own browser downloads are not reachable here).
// Flags: see ../shared/ENVIRONMENT.md; --enable-unsafe-webgpu gives WebGPU on SwiftShader.
export const chromiumArgs = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu',
];

// Another checkout's run may hold the default port: PHASEKIT_E2E_PORT picks another.
const port = Number(process.env.PHASEKIT_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 120_000,
  workers: 1,
  reporter: process.env.CI ? 'list' : 'list',
  use: {
    baseURL: `http://localhost:${port}/`,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
  },
  webServer: {
    command: `npx vite preview --port ${port}`,
    url: `http://localhost:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
