export { buildApi, apiDocument, allRoutes } from './app';
export type { ApiOptions } from './app';
export { TokenAuthenticator, bearerToken, selectRole } from './auth';
export type { Authenticator, Principal } from './auth';
export { DefinitionCatalog } from './catalog';
export type { ApiDeps } from './deps';
export { ApiError, toApiError } from './errors';
export { APP_ROLE, appRolePool, apiDeps, bootstrapAdmin, startApi } from './server';
export type { RunningApi, StartApiOptions } from './server';
