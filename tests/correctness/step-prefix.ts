// Tests of the kernel's stepping run their checks both ways: with every state stepped (the
// kernel's switch, src/kernel/module.ts pk_set_step_prefix), then with only the states the
// mass can have reached (the default). The second way steps the reached prefix over plain
// rows whatever the layout, so a layout is only exercised on its own rows by the first.
import { kernel } from '../../src/kernel/module.js';

/** Runs `check` with every state stepped, then as the kernel steps by default. */
export function everyStateThenReached(check: () => void): void {
  kernel().pk_set_step_prefix(0);
  try {
    check();
  } finally {
    kernel().pk_set_step_prefix(1);
  }
  check();
}
