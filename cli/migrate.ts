import type { CaseMigration } from '../client/case-migration';
import type { CliContext } from './context';
import { EXIT_OK, EXIT_REFUSED, invalidArgument } from './errors';
import { parseVersionRef } from './definitions';
import { table } from './format';

export interface MigrateOptions {
  as: string;
  to: string;
  map?: string[];
  dryRun?: boolean;
  process?: string;
  fromVersion?: string;
}

/** `--map old=new` options as a mapping. */
export function parseMappings(values: string[] = []): Record<string, string> {
  const entries: Array<[string, string]> = [];
  for (const v of values) {
    const eq = v.indexOf('=');
    const from = v.slice(0, eq).trim();
    const to = v.slice(eq + 1).trim();
    if (eq < 0 || !from || !to) throw invalidArgument(`--map must look like <old state>=<new state>, got "${v}"`);
    entries.push([from, to]);
  }
  // fromEntries defines own keys, so a state named `__proto__` cannot set the mapping's prototype.
  return Object.fromEntries(entries);
}

function versionNumber(text: string, option: string): number {
  const v = parseVersionRef(text, option);
  if (typeof v !== 'number') throw invalidArgument(`${option}: name a published version number`);
  return v;
}

function migrationText(m: CaseMigration, dryRun: boolean): string {
  const { plan } = m;
  let out = `${m.caseId}: v${plan.fromVersion} ${plan.fromState} → v${plan.toVersion} ${plan.toState || '?'}`;
  if (m.result) out += `  migrated (transition #${m.result.seq})\n`;
  else if (m.error) out += `  not migrated [${m.error.code}]\n`;
  else out += dryRun ? (plan.ok ? '  can be migrated\n' : '  blocked\n') : '\n';
  if (plan.deadlines.length) {
    out += table(
      ['DEADLINE', 'STATE', 'DUE', ''],
      plan.deadlines.map((d) => [d.delay, d.state, d.dueAt, d.overdue ? 'already due: fires right after the migration' : '']),
      '    ',
    );
  } else if (plan.ok) out += '    no deadlines in the target state\n';
  if (plan.cancelled.length) out += `    cancelled: ${plan.cancelled.map((d) => `${d.delay} (${d.dueAt})`).join(', ')}\n`;
  for (const b of plan.blockers) out += `    blocked: ${b.message}\n`;
  return out;
}

/** `docket migrate <caseId> --to N` and `docket migrate --process P --from-version M --to N`; `--dry-run` changes nothing. */
export async function migrateCommand(ctx: CliContext, caseId: string | undefined, opts: MigrateOptions): Promise<number> {
  const actor = ctx.actor(opts.as);
  const to = versionNumber(opts.to, '--to');
  const mapping = parseMappings(opts.map);
  const dryRun = opts.dryRun === true;
  let results: CaseMigration[];
  if (caseId) {
    if (opts.process || opts.fromVersion)
      throw invalidArgument('give either a case id, or --process and --from-version for all open cases of a version');
    results = [await ctx.withMigrations((m) => m.migrateCase(actor, caseId, to, { mapping, dryRun }))];
  } else {
    if (!opts.process || !opts.fromVersion)
      throw invalidArgument('name a case id, or --process and --from-version to migrate all open cases of a version');
    const from = versionNumber(opts.fromVersion, '--from-version');
    const processId = opts.process;
    results = await ctx.withMigrations((m) => m.migrateVersion(actor, { processId, fromVersion: from, toVersion: to, mapping, dryRun }));
  }
  const blocked = results.filter((r) => r.error || !r.plan.ok).length;
  ctx.print(caseId ? results[0] : results, () => {
    if (results.length === 0) return 'no open cases on that version\n';
    let out = results.map((r) => migrationText(r, dryRun)).join('');
    if (dryRun) out += `Dry run: nothing changed (${results.length - blocked} of ${results.length} can be migrated).\n`;
    else if (!caseId) out += `${results.length - blocked} of ${results.length} migrated.\n`;
    return out;
  });
  return blocked > 0 ? EXIT_REFUSED : EXIT_OK;
}
