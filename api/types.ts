/**
 * The API's answers as TypeScript types, inferred from the response schemas (schemas.ts), so
 * that they cannot drift from what the API sends. The web UI imports them type-only
 * (web/src/types.ts): nothing of this file or of zod reaches its bundle.
 */
import type { z } from 'zod';
import type * as schemas from './schemas';

export type Labels = z.infer<typeof schemas.labelsOut>;
export type CaseSummary = z.infer<typeof schemas.caseSummaryOut>;
export type InboxItem = z.infer<typeof schemas.inboxItemOut>;
export type AllowedEvent = z.infer<typeof schemas.allowedEventOut>;
export type Deadline = z.infer<typeof schemas.deadlineOut>;
export type CaseView = z.infer<typeof schemas.caseOut>;
export type Incident = z.infer<typeof schemas.incidentOut>;
export type RetryResult = z.infer<typeof schemas.retryOut>;
export type Transition = z.infer<typeof schemas.transitionOut>;
export type ProcessInfo = z.infer<typeof schemas.processOut>;
export type ListedDefinition = z.infer<typeof schemas.listedDefinitionOut>;
export type VersionInfo = z.infer<typeof schemas.versionInfoOut>;
export type VersionRead = z.infer<typeof schemas.versionOut>;
export type Problem = z.infer<typeof schemas.problemOut>;
export type Validation = z.infer<typeof schemas.validationOut>;
export type DefinitionDiff = z.infer<typeof schemas.diffOut>;
export type DraftResult = z.infer<typeof schemas.draftOut>;
export type Impact = z.infer<typeof schemas.impactOut>;
export type PublishResult = z.infer<typeof schemas.publishOut>;
export type Verification = z.infer<typeof schemas.verificationOut>;
export type User = z.infer<typeof schemas.userOut>;
export type TokenInfo = z.infer<typeof schemas.tokenInfoOut>;
