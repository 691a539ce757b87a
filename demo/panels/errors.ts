// Errors as one readable line: phasekit's typed errors with their code (and the
// vertex or edge at fault), anything else by name and message.
import { PhasekitError } from '../../src/index.js';

/** "GraphError NEGATIVE_RATE: edge 3 …" */
export function describeError(error: unknown): string {
  if (error instanceof PhasekitError) return `${error.name} ${error.code}: ${error.message}`;
  if (error instanceof Error) return error.name === 'Error' || error.name === 'FormError' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}
