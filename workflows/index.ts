export { caseWorkflow } from './case-workflow';
export type { CaseResult } from './case-workflow';
