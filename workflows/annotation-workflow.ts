/**
 * Appends one annotation to a case (an auditor's note, or the review of a sampled case) through a
 * worker, the only holder of the audit signing key: the API starts this workflow, the activity chains,
 * signs and stores the annotation and tells the case's rep. A start no Docket client signed is refused.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { DocketActivities } from '../activities';
import type { ChainedAnnotation } from '../audit/annotations';
import type { AnnotationKind } from '../audit/annotations';
import type { Actor } from '../engine/types';
import { unvouched } from './messages';

export interface AnnotationWorkflowInput {
  caseId: string;
  kind: AnnotationKind;
  sampleId: string | null;
  body: Record<string, unknown>;
  /** The auditor: the vouched-for actor of the request. */
  actor: Actor;
  rep: string | null;
  requestId: string | null;
  notice?: { en: string; 'zh-CN': string };
}

const { recordAnnotation } = proxyActivities<DocketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});

export async function annotationWorkflow(input: AnnotationWorkflowInput): Promise<ChainedAnnotation> {
  if (unvouched(input))
    throw ApplicationFailure.create({
      type: 'Unauthenticated',
      nonRetryable: true,
      message: 'this annotation was not requested through Docket: it carries no valid signature of a Docket client',
    });
  return recordAnnotation({
    caseId: input.caseId,
    kind: input.kind,
    sampleId: input.sampleId,
    body: input.body,
    author: { userId: input.actor.userId, role: input.actor.role },
    rep: input.rep,
    requestId: input.requestId,
    ...(input.notice && { notice: input.notice }),
  });
}
