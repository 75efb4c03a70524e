import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChainVerification } from '../audit/chain';
import type { DeepCheck } from '../audit/deep';
import { verifyExport } from '../audit/export';
import { readPublicKeys, type PublicKeyEntry } from '../audit/keys';
import { DocketError } from '../client/docket-client';
import { readArgumentFile } from './args';
import type { CliContext } from './context';
import { EXIT_OK, EXIT_REFUSED, invalidArgument } from './errors';

function describe(v: ChainVerification & { deep?: DeepCheck }): string {
  if (!v.ok) {
    const p = v.problem ?? v.deep?.problems[0];
    const where = p?.trail === 'annotations' ? `annotation ${p.seq}` : `seq ${p?.seq}`;
    return `${v.caseId}: BROKEN at ${where} (${p?.kind}): ${p?.message}${deepLines(v.deep, p)}`;
  }
  const signed =
    v.signatures === 'verified'
      ? `${v.signedRows} signed${v.keyIds.length > 0 ? ` by ${v.keyIds.join(', ')}` : ''}` +
        (v.unsignedRows > 0 ? `, ${v.unsignedRows} unsigned (before keyed audit, vouched for by a signed checkpoint)` : '')
      : 'signatures NOT checked: no public keys';
  const notes =
    v.annotations && v.annotations.rows > 0 ? `; ${v.annotations.rows} annotations, head ${v.annotations.headHash?.slice(0, 12)}` : '';
  return `${v.caseId}: intact (${v.rows} rows, ${signed}; head ${v.headHash?.slice(0, 12) ?? '-'}${notes})${deepLines(v.deep)}`;
}

function deepLines(deep: DeepCheck | undefined, shown?: { seq: number; message: string }): string {
  if (deep === undefined) return '';
  if (deep.ok)
    return `\n  deep: the ${deep.applied} transitions of the Temporal history match the log${deep.pending.length > 0 ? ` (seq ${deep.pending.join(', ')} still being stored)` : ''}`;
  return deep.problems
    .filter((p) => p !== shown)
    .map((p) => `\n  deep: seq ${p.seq} (${p.kind}): ${p.message}`)
    .join('');
}

const KEYS_NOTE: Record<string, string> = {
  export:
    "note: verified with the public keys inside the file, which anyone who edits the file can replace: pin the writer's keys with --public-key <file>\n",
  none: 'note: the export carries no public keys: signatures were NOT checked; pass --public-key <file>\n',
  database: 'note: the API has no public keyring file and trusted the keys recorded in the database (set DOCKET_AUDIT_PUBLIC_KEYS_FILE)\n',
};

function readJson(file: string, option: string, cwd: string): unknown {
  try {
    return JSON.parse(readArgumentFile(file, option, cwd));
  } catch (err) {
    if (err instanceof SyntaxError) throw invalidArgument(`${option}: "${file}" is not JSON: ${err.message}`);
    throw err;
  }
}

/**
 * `docket audit verify <caseId>`, `--all`, or `--file export.json` (offline: no
 * servers). `--public-key <file>` pins the writer's public keys (a keyring or a
 * PEM key): with `--file`, or with a case id (its export is fetched and verified
 * here rather than trusting the server's verdict). `--deep` also cross-checks a
 * case against its Temporal history (auditors). Exits 2 when anything is broken.
 */
export async function verifyCommand(
  ctx: CliContext,
  caseId: string | undefined,
  opts: { all?: boolean; file?: string; publicKey?: string; deep?: boolean },
): Promise<number> {
  const chosen = [caseId !== undefined, opts.all === true, opts.file !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw invalidArgument('name one case id, or --all, or --file <export.json>');
  if (opts.deep && caseId === undefined) throw invalidArgument('--deep checks one case against its Temporal history: name the case id');
  if (opts.publicKey !== undefined && opts.all) throw invalidArgument('--public-key goes with --file or a case id, not --all');
  let pinned: PublicKeyEntry[] | undefined;
  if (opts.publicKey !== undefined) {
    try {
      pinned = readPublicKeys(path.resolve(ctx.cwd, opts.publicKey));
    } catch (err) {
      throw invalidArgument(`--public-key: ${(err as Error).message}`);
    }
    if (pinned.length === 0) throw invalidArgument(`--public-key: "${opts.publicKey}" holds no public key`);
  }
  let cases: Array<ChainVerification & { deep?: DeepCheck }>;
  let checked: number;
  let keysFrom: string | undefined;
  const offline = (data: unknown) => {
    try {
      const verified = verifyExport(data, pinned);
      keysFrom = verified.keysFrom;
      return verified.cases;
    } catch (err) {
      throw invalidArgument(`${opts.file !== undefined ? '--file' : caseId}: ${(err as Error).message}`);
    }
  };
  if (opts.file !== undefined) {
    cases = offline(readJson(opts.file, '--file', ctx.cwd));
    checked = cases.length;
  } else if (opts.all) {
    const all = await ctx.api().verifyAll();
    cases = all.broken;
    checked = all.checked;
  } else {
    const online = await ctx.api().verifyCase(caseId!, { deep: opts.deep === true });
    keysFrom = online.keysFrom;
    cases = [online];
    if (pinned !== undefined) {
      // The server's verdict is not taken on trust: its export is verified here, with the pinned keys.
      const local = offline(await ctx.api().exportCase(caseId!, 'json'))[0]!;
      cases = [online.deep ? { ...local, ok: local.ok && online.deep.ok, deep: online.deep } : local];
    }
    checked = 1;
  }
  const broken = cases.filter((c) => !c.ok);
  const note = keysFrom !== undefined ? (KEYS_NOTE[keysFrom] ?? '') : '';
  ctx.print({ ok: broken.length === 0, checked, ...(keysFrom !== undefined && { keysFrom }), cases }, () =>
    opts.all
      ? `${checked} cases checked; ${broken.length === 0 ? 'every chain is intact' : `${broken.length} broken`}\n${broken.map((c) => `  ${describe(c)}\n`).join('')}`
      : cases.map((c) => `${describe(c)}\n`).join('') + note,
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
