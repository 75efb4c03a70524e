/** `docket delegate set|list|revoke`: the caller's out-of-office delegations, over the API. */
import type { Delegation } from '../adapters/postgres/delegation-store';
import type { CliContext } from './context';
import { EXIT_OK } from './errors';
import { table } from './format';

function delegationLine(d: Delegation): string {
  return `Delegation ${d.id}: ${d.delegateId} acts for ${d.userId} from ${d.startsAt} until ${d.endsAt} (${d.status}).\n`;
}

/** `docket delegate set <user> --until <instant> [--from <instant>]`: the API checks the user and the period. */
export async function setDelegationCommand(ctx: CliContext, delegate: string, opts: { from?: string; until: string }): Promise<number> {
  const body = { delegate, endsAt: opts.until, ...(opts.from !== undefined && { startsAt: opts.from }) };
  const { body: d } = await ctx.api().request<Delegation>('POST', '/me/delegations', { body });
  ctx.print(d, () => delegationLine(d));
  return EXIT_OK;
}

/** `docket delegate list`: the caller's delegations, the latest period first. */
export async function listDelegationsCommand(ctx: CliContext): Promise<number> {
  const { body } = await ctx.api().request<{ delegations: Delegation[] }>('GET', '/me/delegations');
  ctx.print(body, () =>
    body.delegations.length === 0
      ? 'No delegations. Name one with: docket delegate set <user> --until <instant>\n'
      : table(
          ['ID', 'DELEGATE', 'FROM', 'UNTIL', 'STATUS'],
          body.delegations.map((d) => [d.id, d.delegateId, d.startsAt, d.endsAt, d.status]),
          '',
        ),
  );
  return EXIT_OK;
}

/** `docket delegate revoke <id>`. */
export async function revokeDelegationCommand(ctx: CliContext, id: string): Promise<number> {
  const { body: d } = await ctx.api().request<Delegation>('DELETE', `/me/delegations/${encodeURIComponent(id)}`);
  ctx.print(d, () => delegationLine(d));
  return EXIT_OK;
}
