import { DEFINITION_LIMITS } from '../engine/definition-limits';
import type { DiagramModel } from './model';

/**
 * The largest diagram drawn: the largest definition the linter accepts (a draft being edited may
 * be larger; beyond these a picture is unreadable and its layout takes seconds of CPU). The time
 * limit of the API's jobs bounds the rest.
 */
export const DIAGRAM_LIMITS = { states: DEFINITION_LIMITS.states, transitions: DEFINITION_LIMITS.transitions } as const;

/** A definition with more states or transitions than a diagram is drawn for. */
export class DiagramTooLargeError extends Error {
  override readonly name = 'DiagramTooLargeError';
}

/** Throws DiagramTooLargeError when the model is beyond DIAGRAM_LIMITS. */
export function checkDiagramSize(model: DiagramModel): void {
  const states = model.nodes.filter((n) => n.kind !== 'initial').length;
  const transitions = model.edges.length;
  if (states > DIAGRAM_LIMITS.states || transitions > DIAGRAM_LIMITS.transitions) {
    throw new DiagramTooLargeError(
      `the definition has ${states} states and ${transitions} transitions; a diagram is drawn for at most ${DIAGRAM_LIMITS.states} states and ${DIAGRAM_LIMITS.transitions} transitions: split the process into subprocesses`,
    );
  }
}
