import type { AnnotationKind, ChainedAnnotation } from '../audit/annotations';

/** What the worker is asked to append: the annotation without its place in the chain. */
export interface NewAnnotation {
  caseId: string;
  kind: AnnotationKind;
  sampleId: string | null;
  body: Record<string, unknown>;
  author: { userId: string; role: string };
  rep: string | null;
  requestId: string | null;
  /** The notification to the rep: its subject lines (absent: nobody is told). */
  notice?: { en: string; 'zh-CN': string };
}

/**
 * Appends annotations to cases (adapters/postgres/annotation-store.ts): chained, signed with the
 * writer's audit key, counted on the case, the rep told. Idempotent on the request id.
 */
export interface AnnotationWriter {
  append(input: NewAnnotation): Promise<ChainedAnnotation>;
}
