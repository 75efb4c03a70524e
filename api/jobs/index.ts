export { JobPool, inlineJobs, JOB_DEFAULTS } from './pool';
export type { JobPoolOptions, JobRunner } from './pool';
export { JobPoolBusyError, JobTooComplexError } from './errors';
export type { DiagramFormat, DiagramResult } from './tasks';
