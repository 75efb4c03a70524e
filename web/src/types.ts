/**
 * Shapes of the API's answers that the UI reads: the schemas of the API's OpenAPI document
 * (api-types.ts, generated from it by `npm run write-openapi-types`).
 */
import type { components } from './api-types';
import type { Labels } from './i18n';

type Schemas = components['schemas'];

export type AllowedEvent = Schemas['AllowedEvent'];
export type CaseSummary = Schemas['CaseSummary'];
export type CaseView = Schemas['Case'];
export type Contact = Schemas['Contact'];
export type ContactPerson = Schemas['ContactPerson'];
export type Customer = Schemas['Customer'];
export type Deadline = Schemas['Deadline'];
export type DefinitionDiff = Schemas['DefinitionDiff'];
export type DraftResult = Schemas['DraftResult'];
export type GradeChange = Schemas['GradeChange'];
export type Impact = Schemas['PublishImpact'];
export type InboxItem = Schemas['InboxItem'];
export type Incident = Schemas['Incident'];
export type ListedDefinition = Schemas['ListedDefinition'];
export type ProcessInfo = Schemas['Process'];
export type Problem = Schemas['Problem'];
export type PublishResult = Schemas['PublishResult'];
export type RetryResult = Schemas['RetryResult'];
export type TokenInfo = Schemas['TokenInfo'];
export type Transition = Schemas['Transition'];
/** One entry of a customer's timeline: a transition of one of its cases, a contact, or a handover. */
export type TimelineEntry =
  | (Transition & { kind: 'transition' })
  | (Schemas['Contact'] & { kind: 'contact' })
  | {
      kind: 'handover';
      handoverId: string;
      from: string;
      to: string;
      reason: string | null;
      by: { userId: string; role: string };
      at: string;
      status: 'pending' | 'done';
    };
export type User = Schemas['User'];
export type Validation = Schemas['Validation'];
export type Verification = Schemas['ChainVerification'];
export type VersionInfo = Schemas['DefinitionVersion'];
export type VersionRead = Schemas['DefinitionVersionRead'];

/**
 * The parts of a definition the UI reads for labels. The API hands a definition over as it was
 * written (any JSON object), so this is the UI's reading of it, not an API type.
 */
export interface DefinitionLabels {
  labels: Labels;
  stateLabels?: Record<string, Labels>;
  events?: Record<string, { labels?: Labels; payload?: unknown }>;
  delays?: Record<string, { labels?: Labels }>;
  parameters?: Record<string, ParameterSpec>;
  /** The start input's JSON Schema, its fields labelled (x-labels, x-enum-labels). */
  input?: unknown;
  /** Completed cases may be marked as typical cases in the case library. */
  caseLibrary?: boolean;
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
