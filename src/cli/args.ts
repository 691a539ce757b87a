// Command-line parsing: `--name value` / `--name=value` flags checked against a
// per-command spec, everything else positional. No framework: the CLI is a stable
// scripting surface, so every accepted spelling is spelled out here.
import { readFileSync } from 'node:fs';

/** How a flag's value is read. */
export type FlagKind = 'numbers' | 'integer' | 'string' | 'json' | 'boolean';

/** One accepted flag. */
export interface FlagSpec {
  /**
   * `numbers`: a JSON array of finite numbers; `json`: any JSON value (the command checks it);
   * `integer`: a base-10 integer; `string`: text (one of `choices` when given); `boolean`: a
   * switch that takes no value. `numbers` and `json` read `@path` as the contents of a file.
   */
  kind: FlagKind;
  /** One line for `--help`. */
  description: string;
  /** Accepted values (strings only). */
  choices?: string[];
  /** Smallest accepted value (integers only). */
  min?: number;
  /** The command refuses to run without it. */
  required?: boolean;
}

/** The value of a parsed flag. */
export type FlagValue = number[] | number | string | boolean | JsonValue;

/** A parsed JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Positionals in order, flags by name (without the dashes). */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, FlagValue | undefined>;
}

/** Bad command-line input (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `argv` against `spec`; throws UsageError on an unknown, repeated, valueless or malformed flag. */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') { parsed.positionals.push(...argv.slice(i + 1)); break; }
    // `-` alone is a positional (stdin); so is anything not starting with `--`.
    if (!token.startsWith('--')) {
      if (token.length > 1 && token.startsWith('-')) throw new UsageError(`unknown option ${token}`);
      parsed.positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const flag = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!flag) throw new UsageError(`unknown flag --${name}`);
    if (parsed.flags[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    if (flag.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      parsed.flags[name] = true;
      continue;
    }
    let text: string;
    if (eq >= 0) text = token.slice(eq + 1);
    else if (i + 1 < argv.length) text = argv[++i];
    else throw new UsageError(`--${name} needs a value`);
    parsed.flags[name] = readValue(name, flag, text);
  }
  for (const [name, flag] of Object.entries(spec))
    if (flag.required && parsed.flags[name] === undefined) throw new UsageError(`--${name} is required`);
  return parsed;
}

function readValue(name: string, flag: FlagSpec, text: string): FlagValue {
  if (flag.kind === 'string') {
    if (flag.choices && !flag.choices.includes(text)) throw new UsageError(`--${name} must be one of ${flag.choices.join(', ')}, got '${text}'`);
    return text;
  }
  if (flag.kind === 'integer') {
    const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got '${text}'`);
    if (flag.min !== undefined && n < flag.min) throw new UsageError(`--${name} must be at least ${flag.min}, got ${n}`);
    return n;
  }
  const source = text.startsWith('@') ? readArgumentFile(name, text.slice(1)) : text;
  let value: unknown;
  try { value = JSON.parse(source); } catch { value = undefined; }
  if (flag.kind === 'json') {
    if (value === undefined) throw new UsageError(`--${name} must be JSON, got '${clip(text)}'`);
    return value as JsonValue;
  }
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw new UsageError(`--${name} must be a JSON array of numbers such as '[1, 2.5]', got '${clip(text)}'`);
  return value as number[];
}

/** Long values are cut in messages: errors stay one short line. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The contents of `@path` arguments (UTF-8). */
function readArgumentFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--${name}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
