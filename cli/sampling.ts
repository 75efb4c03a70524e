/**
 * `docket audit sample|samples|review|annotate|annotations|sampling-report`: auditors' sampling over
 * the API (不定期抽样复核). Everything is the API's: who may, what a draw picks, how a review is stored.
 */
import { randomUUID } from 'node:crypto';
import type { Sample as StoredSample, SampledCase } from '../adapters/postgres/sampling-store';
import { commaList } from './args';
import type { CliContext } from './context';
import { EXIT_OK, invalidArgument, rethrowBadRequest } from './errors';
import { bothLabels, keyValues, table } from './format';

const AUDITOR = { role: 'auditor' } as const;

/** A sample as the API answers it: the stored draw, with how many of its cases were sampled and reviewed. */
type Sample = StoredSample & { sampled?: number; reviewed?: number };

interface Annotation {
  caseId: string;
  seq: number;
  kind: 'note' | 'review';
  sampleId: string | null;
  body: { text?: string; passed?: boolean; items?: Array<{ id: string; result: string; finding?: string }>; comment?: string };
  author: { userId: string; role: string };
  rep: string | null;
  at: string;
  hash: string;
}

const enc = encodeURIComponent;

function sampleLines(s: Sample, cases: SampledCase[]): string {
  const how = s.size !== null ? `${s.size} per rep` : `${s.percent}% of each rep's cases`;
  const head = keyValues([
    ['sample', s.sampleId],
    ['process', s.processId],
    ['period', `${s.from} – ${s.to}`],
    ['reps', s.reps.length > 0 ? s.reps.join(', ') : '(every rep)'],
    ['drawn', how],
    ['seed', s.seed],
    [
      'population',
      Object.entries(s.population)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ') || '(no completed cases)',
    ],
    ['by', `${s.drawnBy} at ${s.drawnAt}`],
  ]);
  if (cases.length === 0) return `${head}  (no case drawn)\n`;
  return (
    head +
    table(
      ['rep', '#', 'case', 'review'],
      cases.map((c) => [
        c.rep,
        String(c.rank + 1),
        c.caseId,
        c.review === null ? '-' : c.review.passed ? 'passed' : `failed: ${c.review.failed.join(', ')}`,
      ]),
    )
  );
}

export interface SampleOptions {
  process?: string;
  from?: string;
  to?: string;
  rep?: string[];
  size?: string;
  percent?: string;
  seed?: string;
}

/** `docket audit sample --process … --from … --to … [--rep …] --size N|--percent P [--seed S]`. */
export async function sampleCommand(ctx: CliContext, opts: SampleOptions): Promise<number> {
  if (!opts.process || !opts.from || !opts.to) throw invalidArgument('name --process, --from and --to');
  if ((opts.size === undefined) === (opts.percent === undefined))
    throw invalidArgument('give either --size <cases per rep> or --percent <of each rep>');
  const number = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw invalidArgument(`--${name} must be a number, got "${v}"`);
    return n;
  };
  const reps = commaList(opts.rep);
  const body = {
    process: opts.process,
    from: opts.from,
    to: opts.to,
    ...(reps.length > 0 && { reps }),
    ...(opts.size !== undefined && { size: number('size', opts.size) }),
    ...(opts.percent !== undefined && { percent: number('percent', opts.percent) }),
    ...(opts.seed !== undefined && { seed: opts.seed }),
  };
  const { body: drawn } = await ctx
    .api()
    .request<{ sample: Sample; cases: SampledCase[] }>('POST', '/audit/samples', { ...AUDITOR, body })
    .catch(rethrowBadRequest);
  ctx.print(drawn, () => `Drew ${drawn.cases.length} cases\n${sampleLines(drawn.sample, drawn.cases)}`);
  return EXIT_OK;
}

/** `docket audit samples [sampleId]`: the draws, or one draw with its cases and their reviews. */
export async function samplesCommand(ctx: CliContext, sampleId: string | undefined): Promise<number> {
  if (sampleId !== undefined) {
    const { body } = await ctx
      .api()
      .request<{ sample: Sample; cases: SampledCase[]; checklist: Array<{ id: string; labels: { en: string; 'zh-CN': string } }> }>(
        'GET',
        `/audit/samples/${enc(sampleId)}`,
        AUDITOR,
      );
    ctx.print(
      body,
      () =>
        `${sampleLines(body.sample, body.cases)}checklist:\n${body.checklist.map((i) => `  ${i.id}  ${bothLabels(i.labels)}\n`).join('')}`,
    );
    return EXIT_OK;
  }
  const { body } = await ctx.api().request<{ samples: Sample[] }>('GET', '/audit/samples', AUDITOR);
  ctx.print(body, () =>
    body.samples.length === 0
      ? 'No samples drawn yet\n'
      : table(
          ['sample', 'process', 'period', 'seed', 'sampled', 'reviewed', 'drawn'],
          body.samples.map((s) => [
            s.sampleId,
            s.processId,
            `${s.from.slice(0, 10)} – ${s.to.slice(0, 10)}`,
            s.seed,
            String(s.sampled ?? ''),
            String(s.reviewed ?? ''),
            `${s.drawnBy} ${s.drawnAt.slice(0, 16)}`,
          ]),
        ),
  );
  return EXIT_OK;
}

export interface ReviewOptions {
  pass?: string[];
  fail?: string[];
  na?: string[];
  finding?: string[];
  comment?: string;
  requestId?: string;
}

/** `docket audit review <sampleId> <caseId> --pass a,b --fail c --finding c='…' [--na d] [--comment …]`. */
export async function reviewCommand(ctx: CliContext, sampleId: string, caseId: string, opts: ReviewOptions): Promise<number> {
  const results: Record<string, string> = {};
  for (const [result, ids] of [
    ['pass', commaList(opts.pass)],
    ['fail', commaList(opts.fail)],
    ['na', commaList(opts.na)],
  ] as const) {
    for (const id of ids) {
      if (Object.hasOwn(results, id)) throw invalidArgument(`item "${id}" is given twice`);
      results[id] = result;
    }
  }
  const findings: Record<string, string> = {};
  for (const f of opts.finding ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw invalidArgument(`--finding takes <item>=<what was found>, got "${f}"`);
    findings[f.slice(0, eq)] = f.slice(eq + 1);
  }
  const { body } = await ctx
    .api()
    .request<{ annotation: Annotation }>('POST', `/audit/samples/${enc(sampleId)}/cases/${enc(caseId)}/review`, {
      ...AUDITOR,
      idempotencyKey: opts.requestId ?? randomUUID(),
      body: {
        results,
        ...(Object.keys(findings).length > 0 && { findings }),
        ...(opts.comment !== undefined && { comment: opts.comment }),
      },
    })
    .catch(rethrowBadRequest);
  const a = body.annotation;
  ctx.print(
    body,
    () =>
      `Reviewed ${caseId} in ${sampleId}: ${
        a.body.passed
          ? 'passed'
          : `failed (${(a.body.items ?? [])
              .filter((i) => i.result === 'fail')
              .map((i) => i.id)
              .join(', ')})`
      }` + ` — annotation ${a.seq}, hash ${a.hash.slice(0, 12)}${a.rep ? `; ${a.rep} is told` : ''}\n`,
  );
  return EXIT_OK;
}

/** `docket audit annotate <caseId> --text …`. */
export async function annotateCommand(ctx: CliContext, caseId: string, opts: { text?: string; requestId?: string }): Promise<number> {
  if (!opts.text) throw invalidArgument('give the note with --text');
  const { body } = await ctx
    .api()
    .request<{ annotation: Annotation }>('POST', `/cases/${enc(caseId)}/annotations`, {
      ...AUDITOR,
      idempotencyKey: opts.requestId ?? randomUUID(),
      body: { text: opts.text },
    })
    .catch(rethrowBadRequest);
  const a = body.annotation;
  ctx.print(body, () => `Annotated ${caseId}: annotation ${a.seq}, hash ${a.hash.slice(0, 12)}${a.rep ? `; ${a.rep} is told` : ''}\n`);
  return EXIT_OK;
}

/** `docket audit annotations <caseId>`: a case's notes and reviews, oldest first. */
export async function annotationsCommand(ctx: CliContext, caseId: string, opts: { as?: string }): Promise<number> {
  const role = opts.as === undefined ? {} : { role: ctx.actor(opts.as).role };
  const { body } = await ctx.api().request<{ annotations: Annotation[] }>('GET', `/cases/${enc(caseId)}/annotations`, role);
  ctx.print(body, () =>
    body.annotations.length === 0
      ? `No annotations on ${caseId}\n`
      : body.annotations
          .map((a) => {
            const what =
              a.kind === 'note'
                ? a.body.text
                : `review in ${a.sampleId}: ${a.body.passed ? 'passed' : 'failed'}` +
                  (a.body.items ?? [])
                    .filter((i) => i.result === 'fail')
                    .map((i) => `\n      ${i.id}: ${i.finding ?? ''}`)
                    .join('') +
                  (a.body.comment ? `\n      ${a.body.comment}` : '');
            return `  #${a.seq} ${a.at} ${a.author.userId} (${a.author.role}) ${a.kind}: ${what}\n`;
          })
          .join(''),
  );
  return EXIT_OK;
}

/** `docket audit sampling-report <sampleId> [--csv]`. */
export async function samplingReportCommand(ctx: CliContext, sampleId: string, opts: { csv?: boolean }): Promise<number> {
  const { body, text } = await ctx.api().request<{
    sampleId: string;
    processId: string;
    from: string;
    to: string;
    seed: string;
    columns: string[];
    rows: Array<Record<string, string | number>>;
  }>('GET', `/audit/samples/${enc(sampleId)}/report${opts.csv === true ? '?format=csv' : ''}`, AUDITOR);
  if (opts.csv === true) {
    ctx.out(text);
    return EXIT_OK;
  }
  ctx.print(
    body,
    () =>
      `${body.sampleId}  ${body.processId}  ${body.from} – ${body.to}  seed ${body.seed}\n` +
      table(
        body.columns,
        body.rows.map((r) => body.columns.map((c) => String(r[c] ?? ''))),
      ),
  );
  return EXIT_OK;
}
