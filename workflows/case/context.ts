import { ApplicationFailure } from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import type { CompiledDefinition } from '../../engine/compile';
import type { Definition } from '../../engine/definition-schema';
import type { RefusalCode } from '../../engine/refusals';
import type { CalendarData, CaseStatus } from '../../engine/types';
import type { CaseWorkflowInput } from '../messages';

/** The definition a case runs on: the one it started with until a process owner migrates it. */
export interface PinnedVersion {
  definition: unknown;
  definitionVersion: number;
  definitionHash: string;
  parsed: Definition;
}

/**
 * The state of one run of a case, shared by the modules of the workflow (timers, invocations,
 * effects, actions, migration). Deterministic: it changes only in workflow code.
 */
export interface CaseContext {
  readonly input: CaseWorkflowInput;
  readonly caseId: string;
  readonly processId: string;
  readonly customerId: string;
  compiled: CompiledDefinition;
  pinned: PinnedVersion;
  /** The calendar the case counts on: the one pinned at its start until it adopts a newer version. */
  calendar: CalendarData;
  snapshot: AnyMachineSnapshot;
  state: string;
  status: CaseStatus;
  /** The last transition applied (-1 before the start). */
  seq: number;
  /** The last transition whose row is stored (rows are stored in order). */
  storedSeq: number;
  openedAt: string;
  updatedAt: string;
  /** An escalation was raised since the case entered its current state (the case is overdue); see visibility.ts. */
  escalated?: boolean;
  /** Cases started before incidents existed replay their effects as they ran then. */
  readonly incidentsOn: boolean;
  /** Cases started before actors were vouched for replay their unsigned messages as they ran then. */
  readonly vouchedOn: boolean;
  /** Human steps store their rows within the workflow task (a local activity); runs from before store them in activities. */
  readonly persistInTask: boolean;
}

export const nowIso = (): string => new Date(Date.now()).toISOString();

/** Refuses an action: the Update fails with `code` as its type and nothing changes. */
export function refuse(code: RefusalCode, message: string, issues?: unknown): never {
  throw ApplicationFailure.create({ type: code, message, nonRetryable: true, details: issues === undefined ? [] : [issues] });
}
