#!/usr/bin/env node
// The `phasekit` command: see src/cli/main.ts (run `npm run build` first).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
