export { caseWorkflow } from './case-workflow';
export type { CaseResult } from './case-workflow';
export { annotationWorkflow } from './annotation-workflow';
export type { AnnotationWorkflowInput } from './annotation-workflow';
