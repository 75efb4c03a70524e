export { CHAIN_ALGORITHM, chainContent, rowHash, verifyChain } from './chain';
export type { ChainBreak, ChainProblem, ChainVerification, ChainedTransition, VerifyOptions } from './chain';
export { definitionHash } from './definition-hash';
export { EXPORT_FORMAT, buildExport, exportToCsv, verifyExport } from './export';
export type { AuditExport, ExportVerification, ExportedCase, KeySource } from './export';
export { crossCheck, appliedTransitions } from './deep';
export type { CaseVerification, DeepCheck, HistoryRun } from './deep';
export {
  KEYRING_FORMAT,
  addToKeyring,
  generateSigningKey,
  keyIdOf,
  loadSigningKey,
  openSigner,
  publicKeyEntry,
  readKeyring,
  readPublicKeys,
} from './keys';
export type { AuditSigner, PublicKeyEntry, PublicKeyring, SignerFiles } from './keys';
export { KeySet, SIGNATURE_ALGORITHM, signCheckpoint, signRow } from './signature';
export type { AuditCheckpoint } from './signature';
