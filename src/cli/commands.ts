// The command table. New groups (such as `phasekit cache …`) are one more entry here.
import type { Command, CommandGroup } from './command.js';
import { distributionCommands } from './distribution-commands.js';
import { modelCommands } from './model-commands.js';
import { demoCommand } from './demo-command.js';
import { cacheCommands } from './cache-commands.js';
import { loglikCommand } from './likelihood-commands.js';
import { fitCommand } from './fit-command.js';

/** Every top-level command or group, by name. */
export const commands: Record<string, Command | CommandGroup> = {
  ...distributionCommands,
  loglik: loglikCommand,
  fit: fitCommand,
  model: modelCommands,
  demo: demoCommand,
  cache: cacheCommands,
};
