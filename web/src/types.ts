/**
 * Shapes of the API's answers that the UI reads: the API's own types (api/types.ts, inferred
 * from its response schemas), imported type-only so that nothing of the server reaches the bundle.
 */
import type { Labels } from './i18n';

export type {
  AllowedEvent,
  CaseSummary,
  CaseView,
  Deadline,
  DefinitionDiff,
  DraftResult,
  Impact,
  InboxItem,
  Incident,
  ListedDefinition,
  ProcessInfo,
  Problem,
  PublishResult,
  RetryResult,
  TokenInfo,
  Transition,
  User,
  Validation,
  Verification,
  VersionInfo,
  VersionRead,
} from '../../api/types';

/**
 * The parts of a definition the UI reads for labels. The API hands a definition over as it was
 * written (any JSON object), so this is the UI's reading of it, not an API type.
 */
export interface DefinitionLabels {
  labels: Labels;
  stateLabels?: Record<string, Labels>;
  events?: Record<string, { labels?: Labels }>;
  delays?: Record<string, { labels?: Labels }>;
  parameters?: Record<string, ParameterSpec>;
}

export interface ParameterSpec {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  unit?: string;
  enum?: unknown[];
  labels?: Labels;
}
