import { defineConfig } from '@playwright/test';

// Debian's Chromium (playwright's own browser downloads are not reachable here).
// Flags: see ../shared/ENVIRONMENT.md; --enable-unsafe-webgpu gives WebGPU on SwiftShader.
export const chromiumArgs = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu',
];

// PHASEKIT_DEMO_PORT: another port, when several checkouts test on one machine.
const port = Number(process.env.PHASEKIT_DEMO_PORT ?? 4173);

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
    command: 'npx vite preview',
    url: `http://localhost:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
