// Progress of long CLI work on stderr: on a terminal a bar redrawn in place
// (percentage, rate, ETA); otherwise a plain line when a phase starts, every few
// seconds, and when it ends; nothing with --quiet. Stdout stays one line of JSON.
import type { CliIO } from './io.js';

/** Reports where a long command stands. */
export interface ProgressReporter {
  /** `done` of `total` units of `phase` (total 0: a step without a count, e.g. one kernel call). */
  update(phase: string, done: number, total: number, unit?: string): void;
  /** Ends the display (a terminal's bar gets its newline). */
  end(): void;
}

const REDRAW_MS = 100;
const PLAIN_MS = 5000;
const WIDTH = 24;

const count = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(0)}k` : String(Math.round(x)));
const duration = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)}h` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.max(0, Math.round(s))}s`);

/** A reporter writing to the CLI's stderr. */
export function progressReporter(io: CliIO, options: { quiet?: boolean; tty?: boolean; delayMs?: number } = {}): ProgressReporter {
  if (options.quiet) return { update: () => {}, end: () => {} };
  const tty = options.tty ?? io.stderrIsTTY ?? false;
  // Quick commands print nothing: progress shows once the command has run for a second.
  const quietUntil = Date.now() + (options.delayMs ?? 1000);
  let phase = '', started = 0, last = 0, drawn = false;
  const line = (name: string, done: number, total: number, unit: string, now: number) => {
    const elapsed = (now - started) / 1000;
    if (total <= 0) return `phasekit: ${name}${elapsed >= 1 ? ` (${duration(elapsed)})` : ''}`;
    const fraction = Math.min(1, done / total);
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 && done < total ? ` · ETA ${duration((total - done) / rate)}` : '';
    const bar = tty ? ` ▕${'█'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '░')}▏` : '';
    return `phasekit: ${name}${bar} ${(100 * fraction).toFixed(0)}% ${count(done)}/${count(total)} ${unit}${rate > 0 ? ` · ${count(rate)}/s` : ''}${eta}`;
  };
  return {
    update(name, done, total, unit = '') {
      const now = Date.now();
      const fresh = name !== phase;
      if (fresh) { phase = name; started = now; }
      const finished = total > 0 && done >= total;
      if (now < quietUntil) return;
      if (tty) {
        if (!fresh && !finished && now - last < REDRAW_MS) return;
        io.stderr(`\r${line(name, done, total, unit, now)}\x1b[K${finished ? '\n' : ''}`);
        drawn = !finished;
      } else {
        if (!fresh && !finished && now - last < PLAIN_MS) return;
        io.stderr(`${line(name, done, total, unit, now)}\n`);
      }
      last = now;
    },
    end() {
      if (tty && drawn) io.stderr('\n');
      drawn = false;
    },
  };
}
