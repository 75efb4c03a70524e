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
export { ANNOTATION_SIGNATURE_ALGORITHM, KeySet, SIGNATURE_ALGORITHM, signAnnotation, signCheckpoint, signRow } from './signature';
export type { AuditCheckpoint } from './signature';
export { ANNOTATION_ALGORITHM, annotationContent, annotationHash, verifyAnnotations } from './annotations';
export type {
  AnnotationKind,
  AnnotationProblem,
  AnnotationRecord,
  AnnotationVerification,
  ChainedAnnotation,
  ItemResult,
  NoteBody,
  ReviewBody,
} from './annotations';
export { SAMPLING_ALGORITHM, drawCount, drawKey, drawSample, newSeed, samplingReport } from './sampling';
export type { DrawSpec, DrawnCase, ReviewedCase, SampleCandidate, SamplingReport } from './sampling';
