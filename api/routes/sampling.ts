/**
 * Auditors' sampling (不定期抽样复核): draw a reproducible random sample of completed cases per rep and
 * period, review each sampled case against its process's checklist, annotate cases, and read the
 * sampling report. Reviews and notes are annotations on the case: appended by a worker (which signs
 * them with the audit key), part of the case's audit trail, and the rep is told. Auditors only, except
 * reading a case's annotations, which whoever may see the case may.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ChainedAnnotation, ReviewBody } from '../../audit/annotations';
import { drawSample, newSeed, SAMPLING_ALGORITHM, samplingReport } from '../../audit/sampling';
import { PostgresAnnotationStore } from '../../adapters/postgres/annotation-store';
import { PostgresSamplingStore, type Sample } from '../../adapters/postgres/sampling-store';
import type { AuditChecklist, Definition } from '../../engine/definition-schema';
import { csvTable } from '../../engine/csv';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';
import { caseIdSchema, caseParams, labelsOut, processIdSchema } from '../schemas';
import { idempotencyKey, refused, seenCase } from './cases';

const AUDITOR = ['auditor'] as const;

const instant = (what: string) =>
  z.string().refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: `${what} must be a date (2025-01-31) or an ISO date-time`,
  });
const repId = z.string().min(1).max(64);
const sampleIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a sample id has letters, digits and . _ - only');
const itemId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_]*$/, 'a checklist item id is lower-case letters, digits and _');

const drawBody = z
  .object({
    process: processIdSchema,
    from: instant('from').describe('the period [from, to) in which the cases were completed (UTC)'),
    to: instant('to'),
    reps: z.array(repId).max(200).optional().describe('the reps to sample (default: every rep with completed cases in the period)'),
    size: z.number().int().min(1).max(1000).optional().describe('cases per rep (at most the rep’s cases)'),
    percent: z.number().gt(0).max(100).optional().describe('percent of each rep’s cases, rounded up'),
    seed: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('the same seed over the same completed cases draws the same sample; default: a new random seed, recorded'),
  })
  .strict();

const checklistItemOut = z.object({ id: z.string(), labels: labelsOut });

const sampleOut = z
  .object({
    sampleId: z.string(),
    processId: z.string(),
    from: z.string(),
    to: z.string(),
    reps: z.array(z.string()),
    size: z.number().nullable(),
    percent: z.number().nullable(),
    seed: z.string(),
    algorithm: z.string(),
    population: z.record(z.string(), z.number()).describe('completed cases in the period per rep: what the draw picked from'),
    drawnBy: z.string(),
    drawnAs: z.string(),
    drawnAt: z.string(),
  })
  .meta({ id: 'Sample' });

const sampledCaseOut = z
  .object({
    caseId: z.string(),
    rep: z.string(),
    rank: z.number(),
    drawKey: z.string().describe('sha256(seed, case id): the rep’s cases with the smallest keys are drawn'),
    review: z
      .object({ seq: z.number(), passed: z.boolean(), at: z.string(), by: z.string(), failed: z.array(z.string()) })
      .nullable()
      .describe('the latest review of the case in this sample (null: not reviewed yet)'),
    reviews: z.number(),
  })
  .meta({ id: 'SampledCase' });

export const annotationOut = z
  .object({
    caseId: z.string(),
    seq: z.number(),
    kind: z.enum(['note', 'review']),
    sampleId: z.string().nullable(),
    body: z
      .record(z.string(), z.unknown())
      .describe('a note: {text}; a review: {items: [{id, labels, result, finding?}], passed, comment?}'),
    author: z.object({ userId: z.string(), role: z.string() }),
    rep: z.string().nullable().describe('the user told about it'),
    caseSeq: z.number().describe('the last transition of the case when it was made'),
    caseHash: z.string(),
    at: z.string(),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
    keyId: z.string().nullable().optional(),
    signature: z.string().nullable().optional(),
  })
  .meta({ id: 'Annotation' });

const reviewBody = z
  .object({
    results: z
      .record(itemId, z.enum(['pass', 'fail', 'na']))
      .describe('every checklist item of the case’s process: pass, fail or na (not applicable)'),
    findings: z.record(itemId, z.string().min(1).max(4000)).optional().describe('what was found, for each failed item (required for each)'),
    comment: z.string().min(1).max(4000).optional(),
  })
  .strict();

const noteBody = z.object({ text: z.string().min(1).max(4000) }).strict();

const sampleParams = z.object({ sampleId: sampleIdSchema }).strict();
const sampleCaseParams = z.object({ sampleId: sampleIdSchema, caseId: caseIdSchema }).strict();

const reportOut = z
  .object({
    sampleId: z.string(),
    processId: z.string(),
    from: z.string(),
    to: z.string(),
    seed: z.string(),
    columns: z.array(z.string()),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
    items: z.array(z.object({ id: z.string(), labels: labelsOut, failed: z.number() })),
  })
  .meta({ id: 'SamplingReport' });

/** The user a definition says a case is the work of: `auditChecklist.repField`, else `assigneeField`. */
function repFieldOf(definition: Definition | undefined): string | undefined {
  return definition?.auditChecklist?.repField ?? definition?.assigneeField;
}

const toJson = (a: ChainedAnnotation) => JSON.parse(JSON.stringify(a)) as z.infer<typeof annotationOut>;

export function samplingRoutes(deps: ApiDeps): AnyRoute[] {
  const sampling = new PostgresSamplingStore(deps.pool);
  const annotations = new PostgresAnnotationStore(deps.pool);

  const latestOf = async (processId: string): Promise<Definition | undefined> =>
    (await deps.catalog.latest()).find((d) => d.processId === processId)?.definition;

  /** The checklist a case is reviewed against: its own version's, else the process's latest. */
  const checklistOf = async (caseId: string): Promise<{ checklist: AuditChecklist | undefined; definition?: Definition }> => {
    const projection = await deps.caseStore.getCase(caseId);
    if (!projection) throw new ApiError(404, 'CaseNotFound', `no case "${caseId}"`);
    const own = (await deps.catalog.byHash(projection.definitionHash, caseId))?.definition;
    const checklist = own?.auditChecklist ?? (await latestOf(projection.processId))?.auditChecklist;
    return { checklist, ...(own && { definition: own }) };
  };

  const sampleOf = async (sampleId: string): Promise<Sample> => {
    const sample = await sampling.get(sampleId);
    if (!sample) throw new ApiError(404, 'SampleNotFound', `no sample "${sampleId}": see GET /audit/samples`);
    return sample;
  };

  return [
    route({
      method: 'POST',
      url: '/audit/samples',
      summary: 'Draw a sample of completed cases per rep',
      tag: 'audit',
      access: AUDITOR,
      body: drawBody,
      responses: {
        201: {
          description: 'the draw, stored with its parameters and seed, and the cases it picked',
          schema: z.object({ sample: sampleOut, cases: z.array(sampledCaseOut) }),
        },
        422: { description: 'NoChecklist: the process has no auditors’ checklist to review against' },
      },
      async handler(ctx) {
        const b = ctx.body;
        const from = new Date(b.from);
        const to = new Date(b.to);
        if (from.getTime() >= to.getTime())
          throw new ApiError(400, 'InvalidRequest', `invalid body: from (${b.from}) must be before to (${b.to})`);
        if ((b.size === undefined) === (b.percent === undefined))
          throw new ApiError(400, 'InvalidRequest', 'invalid body: give either size (cases per rep) or percent (of each rep’s cases)');
        const definition = await latestOf(b.process);
        if (!definition) throw new ApiError(404, 'UnknownProcess', `no process "${b.process}"`);
        if (!definition.auditChecklist)
          throw new ApiError(
            422,
            'NoChecklist',
            `process "${b.process}" has no auditors’ checklist: add "auditChecklist" to its definition first`,
          );
        const seed = b.seed ?? newSeed();
        const all = await sampling.candidates(b.process, from, to, repFieldOf(definition));
        const reps = b.reps ?? [];
        const candidates = reps.length > 0 ? all.filter((c) => reps.includes(c.rep)) : all;
        const population: Record<string, number> = Object.fromEntries(reps.map((r) => [r, 0]));
        for (const c of candidates) population[c.rep] = (population[c.rep] ?? 0) + 1;
        const drawn = drawSample(candidates, { seed, ...(b.size !== undefined ? { size: b.size } : { percent: b.percent! }) });
        const sampleId = `sample-${randomUUID().slice(0, 8)}`;
        const sample = await sampling.record(
          sampleId,
          {
            processId: b.process,
            from,
            to,
            reps,
            ...(b.size !== undefined && { size: b.size }),
            ...(b.percent !== undefined && { percent: b.percent }),
            seed,
          },
          SAMPLING_ALGORITHM,
          population,
          drawn,
          ctx.caller.actor,
        );
        return { status: 201, body: { sample, cases: await sampling.cases(sampleId) } };
      },
    }),
    route({
      method: 'GET',
      url: '/audit/samples',
      summary: 'List the samples drawn',
      tag: 'audit',
      access: AUDITOR,
      responses: {
        200: {
          description: 'the draws, newest first, each with how many cases it drew and how many are reviewed',
          schema: z.object({ samples: z.array(sampleOut.extend({ sampled: z.number(), reviewed: z.number() })) }),
        },
      },
      async handler() {
        return { status: 200, body: { samples: await sampling.list() } };
      },
    }),
    route({
      method: 'GET',
      url: '/audit/samples/:sampleId',
      summary: 'Read a sample: its parameters, its cases and their reviews',
      tag: 'audit',
      access: AUDITOR,
      params: sampleParams,
      responses: {
        200: {
          description: 'the draw, the cases it picked (by rep) with their latest review, and the process’s current checklist',
          schema: z.object({ sample: sampleOut, cases: z.array(sampledCaseOut), checklist: z.array(checklistItemOut) }),
        },
        404: { description: 'SampleNotFound' },
      },
      async handler(ctx) {
        const sample = await sampleOf(ctx.params.sampleId);
        const checklist = (await latestOf(sample.processId))?.auditChecklist?.items ?? [];
        return {
          status: 200,
          body: { sample, cases: await sampling.cases(sample.sampleId), checklist: checklist.map((i) => ({ id: i.id, labels: i.labels })) },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/audit/samples/:sampleId/cases/:caseId',
      summary: 'Read a sampled case for its review: the checklist it is reviewed against and its reviews so far',
      tag: 'audit',
      access: AUDITOR,
      params: sampleCaseParams,
      responses: {
        200: {
          description: 'the sampled case, its checklist (its own definition version’s, else the latest), its reviews in this sample',
          schema: z.object({
            sampleId: z.string(),
            case: sampledCaseOut.extend({
              processId: z.string(),
              definitionVersion: z.number(),
              customerId: z.string(),
              state: z.string(),
              closedAt: z.string().nullable(),
            }),
            checklist: z.array(checklistItemOut),
            reviews: z.array(annotationOut),
          }),
        },
        404: { description: 'SampleNotFound, NotInSample' },
      },
      async handler(ctx) {
        const sample = await sampleOf(ctx.params.sampleId);
        const picked = (await sampling.cases(sample.sampleId)).find((c) => c.caseId === ctx.params.caseId);
        if (!picked) throw new ApiError(404, 'NotInSample', `case "${ctx.params.caseId}" is not in sample ${sample.sampleId}`);
        const projection = (await deps.caseStore.getCase(picked.caseId))!;
        const { checklist } = await checklistOf(picked.caseId);
        const reviews = (await annotations.list(picked.caseId)).filter((a) => a.sampleId === sample.sampleId);
        return {
          status: 200,
          body: {
            sampleId: sample.sampleId,
            case: {
              ...picked,
              processId: projection.processId,
              definitionVersion: projection.definitionVersion,
              customerId: projection.customerId,
              state: projection.state,
              closedAt: projection.closedAt,
            },
            checklist: (checklist?.items ?? []).map((i) => ({ id: i.id, labels: i.labels })),
            reviews: reviews.map(toJson),
          },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/audit/samples/:sampleId/cases/:caseId/review',
      summary: 'Review a sampled case against its checklist',
      tag: 'audit',
      access: AUDITOR,
      idempotent: true,
      params: sampleCaseParams,
      body: reviewBody,
      responses: {
        201: {
          description:
            'the review, stored as an annotation on the case (chained after its log, signed by a worker) and told to the rep; a later review of the same case supersedes it in the report',
          schema: z.object({ annotation: annotationOut }),
        },
        404: { description: 'SampleNotFound, NotInSample' },
        422: { description: 'ValidationError: an item unanswered or unknown, a failed item without its finding; NoChecklist' },
      },
      async handler(ctx) {
        const sample = await sampleOf(ctx.params.sampleId);
        const picked = (await sampling.cases(sample.sampleId)).find((c) => c.caseId === ctx.params.caseId);
        if (!picked) throw new ApiError(404, 'NotInSample', `case "${ctx.params.caseId}" is not in sample ${sample.sampleId}`);
        const { checklist } = await checklistOf(picked.caseId);
        if (!checklist) throw new ApiError(422, 'NoChecklist', `case "${picked.caseId}" has no auditors’ checklist to review against`);
        const { results, findings = {}, comment } = ctx.body;
        const issues: Array<{ path: string; message: string }> = [];
        const ids = checklist.items.map((i) => i.id);
        for (const id of ids)
          if (!Object.hasOwn(results, id)) issues.push({ path: `results.${id}`, message: 'required: pass, fail or na' });
        for (const id of Object.keys(results))
          if (!ids.includes(id)) issues.push({ path: `results.${id}`, message: `not an item of the checklist (${ids.join(', ')})` });
        for (const id of ids)
          if (results[id] === 'fail' && !Object.hasOwn(findings, id))
            issues.push({ path: `findings.${id}`, message: 'required: what was found' });
        for (const id of Object.keys(findings))
          if (results[id] !== 'fail') issues.push({ path: `findings.${id}`, message: 'a finding goes with a failed item only' });
        if (issues.length > 0)
          throw new ApiError(
            422,
            'ValidationError',
            `the review does not answer the checklist: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
            issues,
          );
        const items = checklist.items.map((i) => ({
          id: i.id,
          labels: i.labels,
          result: results[i.id]!,
          ...(results[i.id] === 'fail' && { finding: findings[i.id]! }),
        }));
        const failed = items.filter((i) => i.result === 'fail').length;
        const body: ReviewBody = { items, passed: failed === 0, ...(comment !== undefined && { comment }) };
        const rep = picked.rep === '(none)' ? null : picked.rep;
        const annotation = await deps.docket
          .annotate({
            caseId: picked.caseId,
            kind: 'review',
            sampleId: sample.sampleId,
            body: body as unknown as Record<string, unknown>,
            actor: ctx.caller.actor,
            rep,
            requestId: idempotencyKey(ctx) ?? null,
            notice:
              failed === 0
                ? { en: `Audit review of case ${picked.caseId}: passed`, 'zh-CN': `案件 ${picked.caseId} 抽样复核：通过` }
                : {
                    en: `Audit review of case ${picked.caseId}: findings on ${failed} item${failed === 1 ? '' : 's'}`,
                    'zh-CN': `案件 ${picked.caseId} 抽样复核：${failed} 项发现问题`,
                  },
          })
          .catch((e: unknown) => refused(deps, ctx, e, picked.caseId));
        return { status: 201, body: { annotation: toJson(annotation) } };
      },
    }),
    route({
      method: 'GET',
      url: '/audit/samples/:sampleId/report',
      summary: 'Read the sampling report of a sample',
      tag: 'audit',
      access: AUDITOR,
      params: sampleParams,
      query: z.object({ format: z.enum(['json', 'csv']).optional() }).strict(),
      responses: {
        200: {
          description:
            'per rep: completed cases in the period (population), sampled, reviewed, passed, failed, findings, and per checklist item (item:<id>) the reviews that failed it; the last row is the total. Each case’s latest review counts. CSV with ?format=csv',
          schema: reportOut,
          alsoAs: 'text/csv',
        },
        404: { description: 'SampleNotFound' },
      },
      async handler(ctx) {
        const sample = await sampleOf(ctx.params.sampleId);
        const cases = await sampling.cases(sample.sampleId);
        const items = (await latestOf(sample.processId))?.auditChecklist?.items ?? [];
        const report = samplingReport(
          sample.population,
          cases.map((c) => ({ rep: c.rep, review: c.review && { passed: c.review.passed, failed: c.review.failed } })),
          items,
        );
        if (ctx.query.format === 'csv')
          return {
            status: 200,
            body: csvTable(report.columns, report.rows),
            contentType: 'text/csv; charset=utf-8',
            headers: { 'content-disposition': `attachment; filename="${sample.sampleId}.csv"` },
          };
        return {
          status: 200,
          body: { sampleId: sample.sampleId, processId: sample.processId, from: sample.from, to: sample.to, seed: sample.seed, ...report },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/cases/:caseId/annotations',
      summary: 'Annotate a case',
      tag: 'audit',
      access: AUDITOR,
      idempotent: true,
      params: caseParams,
      body: noteBody,
      responses: {
        201: {
          description:
            "the note, stored as an annotation on the case (chained after its log, signed by a worker) and told to the case's rep",
          schema: z.object({ annotation: annotationOut }),
        },
      },
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        const projection = await deps.caseStore.getCase(caseId);
        if (!projection) throw new ApiError(404, 'CaseNotFound', `no case "${caseId}"`);
        const { definition } = await checklistOf(caseId);
        const rep = await sampling.repOf(caseId, repFieldOf(definition ?? (await latestOf(projection.processId))));
        const annotation = await deps.docket
          .annotate({
            caseId,
            kind: 'note',
            sampleId: null,
            body: { text: ctx.body.text },
            actor: ctx.caller.actor,
            rep,
            requestId: idempotencyKey(ctx) ?? null,
            notice: { en: `An auditor annotated case ${caseId}`, 'zh-CN': `审计对案件 ${caseId} 添加了批注` },
          })
          .catch((e: unknown) => refused(deps, ctx, e, caseId));
        return { status: 201, body: { annotation: toJson(annotation) } };
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/annotations',
      summary: "Read a case's annotations",
      tag: 'audit',
      access: 'any',
      params: caseParams,
      responses: {
        200: {
          description: "the case's annotations (auditors' notes and reviews), oldest first",
          schema: z.object({ annotations: z.array(annotationOut) }),
        },
      },
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        return { status: 200, body: { annotations: (await annotations.list(caseId)).map(toJson) } };
      },
    }),
  ];
}
