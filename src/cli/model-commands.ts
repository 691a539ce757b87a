// `phasekit model <name>`: the built-in models as graph JSON, ready to pipe into
// the distribution commands.
import * as models from '../models/index.js';
import type { Graph } from '../phase-type/graph.js';
import { printJSON, type Command, type CommandGroup } from './command.js';

function modelCommand(summary: string, min: number, build: (n: number) => Graph): Command {
  return {
    positionals: [],
    summary,
    flags: { n: { kind: 'integer', min, required: true, description: `size of the model (at least ${min})` } },
    async run(args, io) {
      printJSON(io, build(args.flags.n as number).toJSON());
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
