// What a CLI command is: a leaf (flags + run) or a group of subcommands.
import type { FlagSpec, ParsedArgs } from './args.js';
import type { CliIO } from './io.js';
import { GraphError } from '../errors/index.js';

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

/** Writes `value` as one line of JSON (numbers at full precision); a NaN or ±Infinity, which JSON would print as null, is an OVERFLOW error instead. */
export function printJSON(io: CliIO, value: unknown): void {
  const text = JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new GraphError('OVERFLOW', `the result${key ? ` '${key}'` : ''} is ${v}, which JSON cannot carry: it overflows double precision`);
    return v;
  });
  io.stdout(text + '\n');
}
