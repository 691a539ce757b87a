/** Independent dense-matrix oracle for phase-type distributions (tests only). */
export * as linalg from './linalg.js';
export { expm, expmvUniformized } from './expm.js';
export * as continuous from './continuous.js';
export * as discrete from './discrete.js';
export { gthSolve, gthRewardMoments } from './gth.js';
export type { Matrix } from './linalg.js';
