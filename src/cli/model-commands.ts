// `phasekit model <name>`: the built-in models as graph JSON, ready to pipe into
// the distribution commands.
import * as models from '../models/index.js';
import type { Graph } from '../phase-type/graph.js';
import type { ModelOptions } from '../models/coalescent.js';
import { printJSON, type Command, type CommandGroup } from './command.js';
import { quiet } from './distribution-commands.js';
import { progressReporter } from './progress.js';

function modelCommand(summary: string, min: number, build: (n: number, options: ModelOptions) => Graph): Command {
  return {
    positionals: [],
    summary,
    flags: { n: { kind: 'integer', min, required: true, description: `size of the model (at least ${min})` }, quiet },
    async run(args, io) {
      const progress = progressReporter(io, { quiet: args.flags.quiet === true });
      const graph = build(args.flags.n as number, { onProgress: ({ done, total }) => progress.update('exploring the state space', done, total, 'vertices') });
      progress.update('writing graph JSON', 0, 0);
      const json = graph.toJSON();
      progress.end();
      printJSON(io, json);
    },
  };
}

/** The `model` group. */
export const modelCommands: CommandGroup = {
  summary: 'print a built-in model as graph JSON',
  subcommands: {
    coalescent: modelCommand('Kingman coalescent for --n samples (θ = [coalescence rate])', 2, models.coalescent),
    rabbits: modelCommand('--n rabbits on two flooding islands (θ = [jump, flood A, flood B])', 1, models.rabbits),
  },
};
