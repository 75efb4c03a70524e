export { CHAIN_ALGORITHM, chainContent, rowHash, verifyChain } from './chain';
export type { ChainBreak, ChainProblem, ChainVerification, ChainedTransition, VerifyOptions } from './chain';
export { definitionHashOf } from './definition-hash';
export { EXPORT_FORMAT, buildExport, exportToCsv, verifyExport } from './export';
export type { AuditExport, ExportVerification, ExportedCase } from './export';
