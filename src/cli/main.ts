// `phasekit` on the command line: resolves the command from the table, parses
// its flags, runs it, and turns errors into one stderr line and an exit code
// (2: the input is wrong, 1: phasekit failed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import { GraphError } from '../errors/index.js';
import { PoolError } from '../pool/errors.js';
import { GpuError } from '../webgpu/errors.js';
import { parseArgs, UsageError, type FlagSpec } from './args.js';
import { isGroup, type Command } from './command.js';
import { commands } from './commands.js';
import { nodeIO, type CliIO } from './io.js';

export type { CliIO } from './io.js';
export { commands } from './commands.js';

/** Exit code of bad input: usage, graph JSON, θ, rewards, unreadable file. */
export const EXIT_BAD_INPUT = 2;
/** Exit code of an internal failure (a bug or the kernel). */
export const EXIT_INTERNAL = 1;
/** Exit code when --backend webgpu finds no usable WebGPU device (the message names the reason). */
export const EXIT_NO_GPU = 3;

/** The package version, from package.json. */
export function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = nodeIO): Promise<number> {
  let path = '';
  try {
    const end = argv.indexOf('--');
    const flags = end < 0 ? argv : argv.slice(0, end);
    const wantsHelp = flags.includes('--help') || flags.includes('-h');
    if (argv[0] === '--version') { io.stdout(version() + '\n'); return 0; }
    if (argv.length === 0) { io.stderr(usage()); return EXIT_BAD_INPUT; }
    if (argv[0] === 'help' || wantsHelp) {
      io.stdout(helpFor(flags.filter((a) => !a.startsWith('-')).slice(argv[0] === 'help' ? 1 : 0)));
      return 0;
    }
    if (Object.hasOwn(commands, argv[0])) path = argv[0];
    const { command, name, rest } = resolve(argv);
    path = name;
    const args = parseArgs(rest, command.flags);
    if (args.positionals.length !== command.positionals.length)
      throw new UsageError(`expected ${command.positionals.length ? command.positionals.join(' ') : 'no arguments'}, got ${args.positionals.length ? args.positionals.map((p) => `'${p}'`).join(' ') : 'none'}`);
    await command.run(args, io);
    return 0;
  } catch (e) {
    return report(e, path, io);
  }
}

/** Finds the command named by the leading words of argv. */
function resolve(argv: string[]): { command: Command; name: string; rest: string[] } {
  const [first, ...rest] = argv;
  const entry = Object.hasOwn(commands, first) ? commands[first] : undefined;
  if (!entry) throw new UsageError(`unknown command '${first}'`);
  if (!isGroup(entry)) return { command: entry, name: first, rest };
  const names = Object.keys(entry.subcommands).join(', ');
  const [second, ...more] = rest;
  if (second === undefined || second.startsWith('-')) throw new UsageError(`needs a subcommand: ${names}`);
  const command = Object.hasOwn(entry.subcommands, second) ? entry.subcommands[second] : undefined;
  if (!command) throw new UsageError(`unknown subcommand '${second}' (try: ${names})`);
  return { command, name: `${first} ${second}`, rest: more };
}

function report(e: unknown, path: string, io: CliIO): number {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');
  if (e instanceof UsageError) {
    io.stderr(`phasekit: ${path ? `${path}: ` : ''}${oneLine(e.message)} (see 'phasekit ${path ? path + ' ' : ''}--help')\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof PoolError) {
    io.stderr(`phasekit: ${path ? `${path}: ` : ''}${oneLine(e.message)} [${e.code}]\n`);
    return EXIT_INTERNAL;
  }
  if (e instanceof GpuError) {
    io.stderr(`phasekit: ${path ? `${path}: ` : ''}${oneLine(e.message)} [${e.code}]\n`);
    return EXIT_NO_GPU;
  }
  if (e instanceof GraphError) {
    io.stderr(`phasekit: ${path ? `${path}: ` : ''}${oneLine(e.message)} [${e.code}]\n`);
    return EXIT_BAD_INPUT;
  }
  io.stderr(`phasekit: internal error: ${oneLine(e instanceof Error ? `${e.name}: ${e.message}` : String(e))}\n`);
  return EXIT_INTERNAL;
}

const pad = (s: string, width: number) => s + ' '.repeat(Math.max(1, width - s.length));

/** How a flag's value is shown in help: `--k N`, `--theta JSON`, `--dir VALUE`. */
const placeholder = (f: FlagSpec) => (f.kind === 'integer' ? 'N' : f.kind === 'numbers' || f.kind === 'json' ? 'JSON' : f.kind === 'boolean' ? '' : 'VALUE');

function commandLines(): string[] {
  const lines: string[] = [];
  for (const [name, entry] of Object.entries(commands)) {
    if (isGroup(entry)) for (const [sub, c] of Object.entries(entry.subcommands)) lines.push(`  ${pad(`${name} ${sub} ${usageLine(c)}`, 34)}${c.summary}`);
    else lines.push(`  ${pad(`${name} ${usageLine(entry)}`, 34)}${entry.summary}`);
  }
  return lines;
}

function usageLine(c: Command): string {
  const required = Object.entries(c.flags).filter(([, f]) => f.required).map(([n, f]) => `--${n} ${placeholder(f)}`);
  return [...c.positionals, ...required].join(' ');
}

/** The general usage text. */
export function usage(): string {
  return [
    `phasekit ${version()}: phase-type distributions from graph JSON`,
    '',
    'Usage: phasekit <command> [arguments] [--flag value …]',
    '',
    'Commands:',
    ...commandLines(),
    `  ${pad('help [command]', 34)}this text, or one command's flags`,
    '',
    'Flags take JSON arrays (--theta \'[1, 2]\', --times \'[0.5, 1]\', --steps, --rewards) or integers (--k 3, --n 10);',
    'both --flag value and --flag=value work. <graph.json> may be - for standard input.',
    'Output: one line of JSON on stdout. Errors: one line on stderr; exit code 2 for bad input, 1 for internal failures,',
    '3 when --backend webgpu finds no usable WebGPU device.',
    '',
    'Example: phasekit model coalescent --n 10 | phasekit moments - --theta \'[1]\' --k 2',
    '',
  ].join('\n');
}

/** Help for a command path (`[]`: the general usage). */
function helpFor(words: string[]): string {
  if (words.length === 0) return usage();
  const [name] = words;
  const group = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (group && isGroup(group) && words.length === 1)
    return [`phasekit ${name}: ${group.summary}`, '', ...Object.entries(group.subcommands).map(([sub, c]) => `  ${pad(`${name} ${sub} ${usageLine(c)}`, 34)}${c.summary}`), ''].join('\n');
  const { command, name: path } = resolve(words);
  const flags = Object.entries(command.flags).map(([n, f]) => `  ${pad(`--${n} ${placeholder(f)}`, 18)}${f.description}${f.required ? ' (required)' : ''}`);
  return [`Usage: phasekit ${path} ${[...command.positionals, '[flags]'].join(' ')}`, '', command.summary, '', ...(flags.length ? ['Flags:', ...flags, ''] : [])].join('\n');
}
