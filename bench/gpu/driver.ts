// Which Vulkan driver Dawn uses for the benchmark: the machine's own when it
// gives an adapter (a real GPU), else Chromium's SwiftShader when installed.
// Probed in a child process, because Dawn reads VK_ICD_FILENAMES once, when it
// first starts, and a GPU machine with Chromium installed must not be measured
// on SwiftShader by accident.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Chromium's SwiftShader Vulkan driver (Debian's chromium package). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const PROBE = "import('webgpu').then(async ({ create }) => { const a = await create([]).requestAdapter(); console.log(a ? 'ADAPTER' : 'NONE'); process.exit(0); }).catch(() => { console.log('NONE'); process.exit(0); })";

/** Sets VK_ICD_FILENAMES to SwiftShader when the default drivers give no adapter; returns what was chosen, in words. */
export function chooseVulkanDriver(): string {
  if (process.env.VK_ICD_FILENAMES) return `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES} (as given)`;
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 120_000 });
  if (probe.stdout?.includes('ADAPTER')) return 'the machine\'s Vulkan drivers';
  if (!existsSync(SWIFTSHADER_ICD)) return 'no Vulkan driver gives an adapter, and SwiftShader is not installed';
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return `SwiftShader (${SWIFTSHADER_ICD}): no other Vulkan driver gave an adapter`;
}
