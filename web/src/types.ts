/** Shapes of the API's answers that the UI reads (see /openapi.json). */
import type { Labels } from './i18n';

export interface CaseSummary {
  caseId: string;
  processId: string;
  definitionVersion: number;
  customerId: string;
  state: string;
  status: 'open' | 'completed';
  overdue: boolean;
  nextDueAt: string | null;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface InboxItem extends CaseSummary {
  allowedEvents: string[];
  assignedToMe: boolean;
  assignee: string | null;
}

export interface AllowedEvent {
  type: string;
  labels?: Labels;
  roles: string[];
  schema: Record<string, unknown>;
}

export interface Deadline {
  id: string;
  delay: string;
  state: string;
  dueAt: string;
  overdue?: boolean;
  labels?: Labels;
}

export interface CaseView {
  caseId: string;
  processId: string;
  definitionVersion: number;
  state: string;
  stateLabels?: Labels;
  status: 'open' | 'completed';
  context: Record<string, unknown>;
  deadlines: Deadline[];
  overdue: boolean;
  seq: number;
  openedAt: string;
  updatedAt: string;
  role: string;
  customerId?: string;
  allowedEvents: AllowedEvent[];
  /** Effects that failed for good; while one is open the case takes no events. */
  incidents?: Incident[];
}

/** An effect of a case that failed for good, held until an operator (admin) retries it. */
export interface Incident {
  id: string;
  caseId: string;
  processId: string;
  effect: 'persistTransition' | 'notify' | 'runTask' | 'startChild' | 'transition';
  seq: number | null;
  description: string;
  error: { type: string; message: string };
  attempts: number;
  openedAt: string;
}

/** What a retry did: the incidents it resolved, and those that failed again (with the new error). */
export interface RetryResult {
  caseId: string;
  resolved: string[];
  open: Incident[];
}

export interface Transition {
  caseId: string;
  seq: number;
  processId: string;
  definitionVersion: number;
  event: string;
  payload: Record<string, unknown>;
  actor: { userId: string; role: string };
  fromState: string | null;
  toState: string;
  status: string;
  at: string;
  hash?: string | null;
}

export interface ProcessInfo {
  processId: string;
  version: number;
  labels: Labels;
  description?: string;
  canStart: boolean;
  input: Record<string, unknown>;
  stateLabels: Record<string, Labels>;
  events: Record<string, { labels: Labels; roles: string[] }>;
}

/** The parts of a definition the UI reads for labels. */
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

export interface VersionInfo {
  processId: string;
  version: number;
  status: 'draft' | 'published';
  hash: string;
  createdBy: string;
  createdAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  openCases: number;
}

export interface Problem {
  code: string;
  path: string;
  message: string;
}

export interface DefinitionDiff {
  process: string;
  from: number;
  to: number;
  changes: Array<{ area: string; change: 'added' | 'removed' | 'changed'; name: string; text: string }>;
}

export interface DraftResult {
  draft: VersionInfo;
  ok: boolean;
  problems: Problem[];
  diff?: DefinitionDiff;
}

export interface Impact {
  processId: string;
  replacedVersion: number | null;
  newVersion: number;
  byState: Array<{ state: string; count: number }>;
  inRemovedStates: Array<{ caseId: string; version: number; state: string }>;
  olderVersions: Array<{ version: number; count: number }>;
}

export interface PublishResult {
  published?: VersionInfo;
  impact: Impact;
  diff?: DefinitionDiff;
  dryRun: boolean;
}

export interface Verification {
  caseId: string;
  ok: boolean;
  algorithm: string;
  rows: number;
  headHash: string | null;
  problem?: { seq: number; kind: string; message: string };
}
