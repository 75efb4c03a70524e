import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChainVerification } from '../audit/chain';
import { verifyExport } from '../audit/export';
import { DocketError } from '../client/docket-client';
import { readArgumentFile } from './args';
import type { CliContext } from './context';
import { EXIT_OK, EXIT_REFUSED, invalidArgument } from './errors';

function describe(v: ChainVerification): string {
  return v.ok
    ? `${v.caseId}: intact (${v.rows} rows, head ${v.headHash?.slice(0, 12) ?? '-'})`
    : `${v.caseId}: BROKEN at seq ${v.problem?.seq} (${v.problem?.kind}): ${v.problem?.message}`;
}

/**
 * `docket audit verify <caseId>`, `--all`, or `--file export.json` (offline: no
 * servers, the file carries what is needed). Exits 2 when a chain is broken.
 */
export async function verifyCommand(ctx: CliContext, caseId: string | undefined, opts: { all?: boolean; file?: string }): Promise<number> {
  const chosen = [caseId !== undefined, opts.all === true, opts.file !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw invalidArgument('name one case id, or --all, or --file <export.json>');
  let cases: ChainVerification[];
  let checked: number;
  if (opts.file !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(readArgumentFile(opts.file, '--file', ctx.cwd));
    } catch (err) {
      if (err instanceof SyntaxError) throw invalidArgument(`--file: "${opts.file}" is not JSON: ${err.message}`);
      throw err;
    }
    try {
      cases = verifyExport(data).cases;
    } catch (err) {
      throw invalidArgument(`--file: ${(err as Error).message}`);
    }
    checked = cases.length;
  } else if (opts.all) {
    const all = await ctx.api().verifyAll();
    cases = all.broken;
    checked = all.checked;
  } else {
    cases = [await ctx.api().verifyCase(caseId!)];
    checked = 1;
  }
  const broken = cases.filter((c) => !c.ok);
  ctx.print({ ok: broken.length === 0, checked, cases }, () =>
    opts.all
      ? `${checked} cases checked; ${broken.length === 0 ? 'every chain is intact' : `${broken.length} broken`}\n${broken.map((c) => `  ${describe(c)}\n`).join('')}`
      : cases.map((c) => `${describe(c)}\n`).join(''),
  );
  return broken.length === 0 ? EXIT_OK : EXIT_REFUSED;
}

/** `docket audit export <caseId> [--format csv] [--out file]`. */
export async function exportCommand(ctx: CliContext, caseId: string, opts: { format?: string; out?: string }): Promise<number> {
  const format = opts.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw invalidArgument(`--format must be json or csv, got "${format}"`);
  const exported = await ctx.api().exportCase(caseId, format);
  const text = typeof exported === 'string' ? exported : `${JSON.stringify(exported, null, 2)}\n`;
  if (opts.out === undefined) {
    ctx.out(text);
    return EXIT_OK;
  }
  const file = path.resolve(ctx.cwd, opts.out);
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new DocketError('Failed', `cannot write ${file}: ${(err as Error).message}`);
  }
  ctx.print({ file, format }, () => `Wrote the audit trail of ${caseId} to ${file}\n`);
  return EXIT_OK;
}
