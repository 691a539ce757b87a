// What a CLI command is: a leaf (flags + run) or a group of subcommands.
import type { FlagSpec, ParsedArgs } from './args.js';
import type { CliIO } from './io.js';

/** A runnable command. */
export interface Command {
  /** Positional argument names, as printed in usage (e.g. `<graph.json>`); exactly these many are accepted. */
  positionals: string[];
  /** One line for `--help`. */
  summary: string;
  /** Accepted flags by name (without the dashes). */
  flags: Record<string, FlagSpec>;
  /** Does the work and prints the result; throws UsageError or GraphError for bad input. */
  run(args: ParsedArgs, io: CliIO): Promise<void>;
}

/** A command with subcommands, e.g. `model coalescent`. */
export interface CommandGroup {
  /** One line for `--help`. */
  summary: string;
  /** Subcommands by name. */
  subcommands: Record<string, Command>;
}

/** Whether a table entry is a group of subcommands. */
export function isGroup(entry: Command | CommandGroup): entry is CommandGroup {
  return 'subcommands' in entry;
}

/** Writes `value` as one line of JSON (numbers at full precision). */
export function printJSON(io: CliIO, value: unknown): void {
  io.stdout(JSON.stringify(value) + '\n');
}
