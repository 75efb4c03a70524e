/**
 * Authentication: who is calling, from the `Authorization` header. `Authenticator`
 * is the seam for other schemes (an OIDC/JWT verifier would implement it and map
 * its claims to a user id and roles); `TokenAuthenticator` checks Docket's own API
 * tokens against the user store.
 */
import { tokenIdOf, type PostgresUserStore } from '../adapters/postgres/user-store';
import { ApiError } from './errors';

/** An authenticated user and the roles they hold. */
export interface Principal {
  userId: string;
  displayName: string;
  roles: string[];
  /** How they authenticated, e.g. `token:<tokenId>`. */
  via: string;
}

export interface Authenticator {
  /** The principal of a request, or throws ApiError 401. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** A 401: the credentials are missing, malformed, unknown, revoked or expired, or their user is disabled. */
export class AuthenticationError extends ApiError {
  constructor(
    message: string,
    /** The id of the token presented, when it had the shape of one (for the security log). */
    readonly tokenId?: string,
  ) {
    super(401, 'Unauthenticated', message);
  }
}

const unauthenticated = (message: string, tokenId?: string) => new AuthenticationError(message, tokenId);

/** Reads `Bearer <token>`. */
export function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw unauthenticated('no credentials: send the header "Authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

export class TokenAuthenticator implements Authenticator {
  constructor(private readonly users: Pick<PostgresUserStore, 'findToken'>) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    if (token.length > 200) throw unauthenticated('the token is not valid');
    const tokenId = tokenIdOf(token);
    const match = await this.users.findToken(token);
    if (!match) throw unauthenticated('the token is not valid: it is unknown (ask an admin for a new one)', tokenId);
    if (match.status === 'expired') {
      throw unauthenticated(`the token ${match.tokenId} expired at ${match.expiresAt}: ask an admin for a new one`, match.tokenId);
    }
    if (match.status === 'revoked') {
      throw unauthenticated(`the token ${match.tokenId} was revoked at ${match.revokedAt}: ask an admin for a new one`, match.tokenId);
    }
    const { user } = match;
    if (user.status !== 'active') throw unauthenticated(`user "${user.userId}" is disabled`, match.tokenId);
    return { userId: user.userId, displayName: user.displayName, roles: user.roles, via: `token:${match.tokenId}` };
  }
}

/** The role a request acts in: the `X-Docket-Role` header, or the user's only role. */
export function selectRole(principal: Principal, header: string | undefined): string {
  if (header !== undefined && header !== '') {
    if (!principal.roles.includes(header)) {
      throw new ApiError(
        403,
        'Forbidden',
        `user "${principal.userId}" does not hold role "${header.slice(0, 100)}"; their roles: ${principal.roles.join(', ')}`,
      );
    }
    return header;
  }
  if (principal.roles.length === 1) return principal.roles[0]!;
  throw new ApiError(
    400,
    'RoleRequired',
    `user "${principal.userId}" holds several roles (${principal.roles.join(', ')}): name the one to act in with the header "X-Docket-Role"`,
  );
}
