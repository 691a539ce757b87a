#!/usr/bin/env node
// The `phasekit` command: see src/cli/main.ts (run `npm run build` first). It runs the
// one-module bundle of the CLI when the build made one (scripts/build-cli.mjs: it loads in
// about half the time), else the modules tsc wrote.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/src/cli/bundle.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
