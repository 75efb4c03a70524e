/** `docket library mark|search|show|unmark`: the case library (形成案例) over the API. */
import type { LibraryEntry } from '../adapters/postgres/library-store';
import { commaList } from './args';
import type { CliContext } from './context';
import { EXIT_OK, invalidArgument, rethrowBadRequest } from './errors';
import { keyValues, table } from './format';

type Entry = LibraryEntry;

const enc = encodeURIComponent;

const roleOf = (ctx: CliContext, as: string | undefined) => (as === undefined ? {} : { role: ctx.actor(as).role });

function entryLines(e: Entry): string {
  return (
    keyValues([
      ['entry', e.entryId],
      ['case', `${e.caseId} (${e.processId})`],
      ['title', e.title],
      ['tags', e.tags.join(', ') || '-'],
      ['marked', `${e.markedBy} at ${e.markedAt}`],
      ...(e.unmarked
        ? ([['unmarked', `${e.unmarked.by} at ${e.unmarked.at}${e.unmarked.reason ? `: ${e.unmarked.reason}` : ''}`]] as Array<
            [string, string]
          >)
        : []),
    ]) + `\n${e.summary}\n`
  );
}

export async function markCommand(
  ctx: CliContext,
  caseId: string,
  opts: { title?: string; summary?: string; tag?: string[]; as?: string },
): Promise<number> {
  if (!opts.title || !opts.summary) throw invalidArgument('give the entry a --title and a --summary');
  const { body } = await ctx
    .api()
    .request<{ entry: Entry }>('POST', '/library', {
      ...roleOf(ctx, opts.as),
      body: { caseId, title: opts.title, summary: opts.summary, tags: commaList(opts.tag) },
    })
    .catch(rethrowBadRequest);
  ctx.print(body, () => `Added ${caseId} to the case library as ${body.entry.entryId}\n`);
  return EXIT_OK;
}

export async function searchLibraryCommand(
  ctx: CliContext,
  opts: { text?: string; tag?: string[]; process?: string; all?: boolean; limit?: string; as?: string },
): Promise<number> {
  const q = new URLSearchParams();
  if (opts.text !== undefined) q.set('q', opts.text);
  const tags = commaList(opts.tag);
  if (tags.length > 0) q.set('tag', tags.join(','));
  if (opts.process !== undefined) q.set('process', opts.process);
  if (opts.all === true) q.set('unmarked', 'true');
  if (opts.limit !== undefined) q.set('limit', opts.limit);
  const { body } = await ctx
    .api()
    .request<{ entries: Entry[] }>('GET', `/library${q.size > 0 ? `?${q.toString()}` : ''}`, roleOf(ctx, opts.as))
    .catch(rethrowBadRequest);
  ctx.print(body, () =>
    body.entries.length === 0
      ? 'No entries\n'
      : table(
          ['entry', 'process', 'case', 'title', 'tags'],
          body.entries.map((e) => [e.entryId + (e.unmarked ? ' (unmarked)' : ''), e.processId, e.caseId, e.title, e.tags.join(', ')]),
        ),
  );
  return EXIT_OK;
}

export async function showEntryCommand(ctx: CliContext, entryId: string, opts: { as?: string }): Promise<number> {
  const { body } = await ctx
    .api()
    .request<{ entry: Entry }>('GET', `/library/${enc(entryId)}`, roleOf(ctx, opts.as))
    .catch(rethrowBadRequest);
  ctx.print(body, () => entryLines(body.entry));
  return EXIT_OK;
}

export async function unmarkCommand(ctx: CliContext, entryId: string, opts: { reason?: string; as?: string }): Promise<number> {
  const { body } = await ctx
    .api()
    .request<{ entry: Entry }>('POST', `/library/${enc(entryId)}/unmark`, {
      ...roleOf(ctx, opts.as),
      body: opts.reason !== undefined ? { reason: opts.reason } : {},
    })
    .catch(rethrowBadRequest);
  ctx.print(body, () => `Took ${entryId} (${body.entry.caseId}) out of the case library\n`);
  return EXIT_OK;
}
