import { ROLE_NAMES } from '../engine/roles';
import { didYouMean } from '../engine/suggest';
import type { CliContext } from './context';
import { EXIT_OK } from './errors';
import { invalidArgument } from './errors';
import { keyValues, table } from './format';
import type { IssuedToken, TokenInfo } from '../adapters/postgres/user-store';

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

export interface TokenOptions {
  /** `30d`, or a number of days. */
  expiresIn?: string;
}

const userPath = (userId: string) => `/users/${encodeURIComponent(userId)}`;

/** `--expires-in 30d` (or `30`): a whole number of days, 1 to 3650. */
export function parseExpiresIn(text: string): number {
  const match = /^\s*(\d{1,4})\s*d?\s*$/i.exec(text);
  const days = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw invalidArgument(`--expires-in "${text}": give a number of days from 1 to 3650, e.g. --expires-in 30d`);
  }
  return days;
}

/** Issues a new token; it is printed once and not kept anywhere. */
export async function tokenCommand(ctx: CliContext, userId: string, opts: TokenOptions = {}): Promise<number> {
  const expiresIn = opts.expiresIn === undefined ? undefined : parseExpiresIn(opts.expiresIn);
  const { body: issued } = await ctx
    .api()
    .request<IssuedToken>('POST', `${userPath(userId)}/tokens`, expiresIn === undefined ? {} : { body: { expiresIn } });
  ctx.print(
    issued,
    () =>
      `New token for ${issued.userId} (shown once; keep it secret):\n  ${issued.token}\n` +
      keyValues(
        [
          ['Token id', issued.tokenId],
          ['Expires', issued.expiresAt ?? 'never (revoke it to end it)'],
        ],
        '  ',
      ),
  );
  return EXIT_OK;
}

/** `docket users tokens <user>`: the user's tokens, without their secrets. */
export async function listTokensCommand(ctx: CliContext, userId: string): Promise<number> {
  const { body } = await ctx.api().request<{ tokens: TokenInfo[] }>('GET', `${userPath(userId)}/tokens`);
  ctx.print(body.tokens, () =>
    body.tokens.length === 0
      ? `${userId} has no tokens. Issue one: docket users token ${userId}\n`
      : table(
          ['TOKEN ID', 'STATUS', 'ISSUED', 'ISSUED BY', 'EXPIRES', 'LAST USED', 'REVOKED'],
          body.tokens.map((t) => [
            t.tokenId,
            t.status,
            t.createdAt,
            t.issuedBy ?? '(first start)',
            t.expiresAt ?? 'never',
            t.lastUsedAt ?? '-',
            t.revokedAt ? `${t.revokedAt} by ${t.revokedBy ?? '?'}` : '',
          ]),
          '',
        ),
  );
  return EXIT_OK;
}

/** `docket users revoke-token <user> <tokenId>`: that token is refused from now on; the user's other tokens still work. */
export async function revokeTokenCommand(ctx: CliContext, userId: string, tokenId: string): Promise<number> {
  const { body: token } = await ctx.api().request<TokenInfo>('POST', `${userPath(userId)}/tokens/${encodeURIComponent(tokenId)}/revoke`);
  ctx.print(token, () => `Revoked token ${token.tokenId} of ${token.userId} (at ${token.revokedAt ?? '?'}): it is refused from now on.\n`);
  return EXIT_OK;
}

export async function enableUserCommand(ctx: CliContext, userId: string): Promise<number> {
  const { body: user } = await ctx.api().request<{ userId: string }>('POST', `${userPath(userId)}/enable`);
  ctx.print(user, () => `Enabled ${user.userId}: their live tokens work again.\n`);
  return EXIT_OK;
}

export async function disableUserCommand(ctx: CliContext, userId: string): Promise<number> {
  const user = await ctx.api().disableUser(userId);
  ctx.print(user, () => `Disabled ${user.userId}: every token of theirs is refused from now on.\n`);
  return EXIT_OK;
}
