import { ROLE_NAMES } from '../engine/roles';
import { didYouMean } from '../engine/suggest';
import type { CliContext } from './context';
import { EXIT_OK } from './errors';
import { invalidArgument } from './errors';
import { keyValues, table } from './format';

export interface AddUserOptions {
  name: string;
  email?: string;
  roles: string;
}

function parseRoles(text: string): string[] {
  const roles = text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0) throw invalidArgument('--roles names no role: e.g. --roles cs_agent or --roles handler,cs_agent');
  for (const role of roles)
    if (!ROLE_NAMES.includes(role)) throw invalidArgument(`--roles: unknown role "${role}"${didYouMean(role, ROLE_NAMES)}`);
  return roles;
}

/** `docket users add <user> --name … --roles a,b [--email …]` (admin, over the API). */
export async function addUserCommand(ctx: CliContext, userId: string, opts: AddUserOptions): Promise<number> {
  const roles = parseRoles(opts.roles);
  const user = await ctx.api().addUser({ userId, displayName: opts.name, roles, ...(opts.email !== undefined && { email: opts.email }) });
  ctx.print(user, () => `Added user ${user.userId} (${user.roles.join(', ')}). Issue a token: docket users token ${user.userId}\n`);
  return EXIT_OK;
}

export async function listUsersCommand(ctx: CliContext): Promise<number> {
  const users = await ctx.api().listUsers();
  ctx.print(users, () =>
    table(
      ['USER', 'NAME', 'ROLES', 'STATUS', 'EMAIL'],
      users.map((u) => [u.userId, u.displayName, u.roles.join(','), u.status, u.email ?? '']),
      '',
    ),
  );
  return EXIT_OK;
}

/** Issues a new token; it is printed once and not kept anywhere. */
export async function tokenCommand(ctx: CliContext, userId: string): Promise<number> {
  const issued = await ctx.api().issueToken(userId);
  ctx.print(
    issued,
    () =>
      `New token for ${issued.userId} (shown once; keep it secret):\n  ${issued.token}\n` + keyValues([['Token id', issued.tokenId]], '  '),
  );
  return EXIT_OK;
}

export async function disableUserCommand(ctx: CliContext, userId: string): Promise<number> {
  const user = await ctx.api().disableUser(userId);
  ctx.print(user, () => `Disabled ${user.userId}: every token of theirs is refused from now on.\n`);
  return EXIT_OK;
}
