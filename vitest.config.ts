import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// WebGPU in Node (Dawn) needs a Vulkan driver; on machines without a GPU, Chromium's SwiftShader
// (see tests/webgpu/support.ts: where it is installed, the WebGPU tests expect an adapter).
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const vulkan = !process.env.VK_ICD_FILENAMES && existsSync(swiftshader) ? { VK_ICD_FILENAMES: swiftshader } : {};

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts', 'workers/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['tests/setup-env.ts'],
    globalSetup: ['tests/global-build.ts'],
    env: vulkan,
  },
});
