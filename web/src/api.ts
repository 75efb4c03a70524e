/**
 * Calls to the Docket HTTP API with the signed-in user's token and role: `api`, typed by the
 * API's OpenAPI document (api-types.ts, written by `npm run write-openapi-types`), and `get`/`post`
 * for a path built at run time.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api-types';
import { translate, type Lang, type MessageKey } from './i18n';

const TOKEN_KEY = 'docket.token';
const ROLE_KEY = 'docket.role';

export interface Session {
  token: string;
  role: string | null;
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { token, role: sessionStorage.getItem(ROLE_KEY) } : null;
}

export function saveSession(s: Session | null): void {
  if (!s) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ROLE_KEY);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, s.token);
  if (s.role) sessionStorage.setItem(ROLE_KEY, s.role);
  else sessionStorage.removeItem(ROLE_KEY);
}

export interface Issue {
  path: string;
  message: string;
}

/** A refusal or failure of the API: its status, stable code, message and field issues. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

function issuesOf(value: unknown): Issue[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null)
    .map((i) => ({ path: typeof i.path === 'string' ? i.path : '', message: typeof i.message === 'string' ? i.message : '' }));
}

/** A failure from the status and the (parsed) body of an answer that is not 2xx. */
function failureOf(status: number, body: unknown): ApiFailure {
  const error =
    typeof body === 'object' && body !== null
      ? (body as { error?: { code?: unknown; message?: unknown; issues?: unknown } }).error
      : undefined;
  const code = typeof error?.code === 'string' ? error.code : 'Internal';
  const message = typeof error?.message === 'string' ? error.message : typeof body === 'string' ? body.slice(0, 500) : '';
  return new ApiFailure(status, code, message, issuesOf(error?.issues));
}

const unreachable = () => new ApiFailure(0, 'Network', 'the server cannot be reached');

/** A session's token and, when it names one, its role, as request headers. */
export function sessionHeaders(session: Session | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (session?.role) headers['x-docket-role'] = session.role;
  return headers;
}

/** The stored session on every typed request that does not bring a token of its own. */
const storedSession: Middleware = {
  onRequest({ request }) {
    if (request.headers.has('authorization')) return request;
    for (const [name, value] of Object.entries(sessionHeaders(loadSession()))) request.headers.set(name, value);
    return request;
  },
};

/** The API's typed client: paths, parameters, bodies and answers as its OpenAPI document describes them. */
export const api = createClient<paths>({ fetch: (request) => globalThis.fetch(request) });
api.use(storedSession);

/** What a call of `api` answered; a refusal or failure is thrown as ApiFailure. */
export async function answered<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const result = await pending.catch(() => Promise.reject(unreachable()));
  if (!result.response.ok) throw failureOf(result.response.status, result.error);
  return result.data as T;
}

export interface CallOptions {
  body?: unknown;
  /** Read the answer as text (SVG, CSV). */
  text?: boolean;
  idempotencyKey?: string;
  /** Use this session instead of the stored one (signing in). */
  session?: Session;
}

export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    accept: options.text ? '*/*' : 'application/json',
    ...sessionHeaders(options.session ?? loadSession()),
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
  } catch {
    throw unreachable();
  }
  const text = await res.text();
  if (!res.ok) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    throw failureOf(res.status, body);
  }
  if (options.text) return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string, options?: CallOptions) => call<T>('GET', path, options);
export const post = <T>(path: string, body?: unknown, options?: CallOptions) =>
  call<T>('POST', path, { ...options, ...(body !== undefined && { body }) });

/** Every row of a list the API pages by cursor (a case's history), its pages read one after another; `rows` picks a page's rows. */
export async function getAll<T, P extends { nextCursor: string | null }>(path: string, rows: (page: P) => T[]): Promise<T[]> {
  const out: T[] = [];
  const sep = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  do {
    const page: P = await get<P>(cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`);
    out.push(...rows(page));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

const CODE_KEYS: Record<string, MessageKey> = {
  Unauthenticated: 'errUnauthenticated',
  Forbidden: 'errForbidden',
  NotAllowedInState: 'errNotAllowedInState',
  ConditionNotMet: 'errConditionNotMet',
  CaseClosed: 'errCaseClosed',
  ValidationError: 'errValidation',
  InvalidRequest: 'errValidation',
  CaseNotFound: 'errNotFound',
  UnknownProcess: 'errNotFound',
  UnknownVersion: 'errNotFound',
  UnknownParameter: 'errNotFound',
  NotFound: 'errNotFound',
  RoleRequired: 'errRoleRequired',
  Network: 'errNetwork',
  InvalidDefinition: 'errInvalidDefinition',
  NoDraft: 'errNoDraft',
  RequestIdReused: 'errRequestIdReused',
  CaseHasIncident: 'errCaseHasIncident',
  IncidentOpened: 'errIncidentOpened',
  NoIncident: 'errNoIncident',
  UnknownUser: 'errUnknownUser',
  NotAssignee: 'errNotAssignee',
  NotYourTurn: 'errNotYourTurn',
  OperationNotAllowed: 'errOperationNotAllowed',
  TooSoon: 'errTooSoon',
  NotInSample: 'errNotInSample',
  SampleNotFound: 'errSampleNotFound',
  NoChecklist: 'errNoChecklist',
  NotForLibrary: 'errNotForLibrary',
  AlreadyInLibrary: 'errAlreadyInLibrary',
  UnknownLibraryEntry: 'errUnknownLibraryEntry',
  EntryNotFound: 'errEntryNotFound',
};

/** Codes whose server message helps the user even on a 5xx (it names the effect that failed and why). */
const TELLING_5XX = new Set(['IncidentOpened']);

/** What went wrong, in words a user understands, and the server's own explanation as the detail. */
export function describeError(err: unknown, lang: Lang): { title: string; detail: string; code: string } {
  if (err instanceof ApiFailure) {
    const key = CODE_KEYS[err.code] ?? (err.status >= 500 ? 'errServer' : undefined);
    const title = key ? translate(lang, key) : translate(lang, 'error');
    const detail = (err.status >= 500 && !TELLING_5XX.has(err.code)) || err.code === 'Network' ? '' : err.message;
    return { title, detail, code: err.code };
  }
  return { title: translate(lang, 'error'), detail: err instanceof Error ? err.message : String(err), code: 'Error' };
}

/** A fresh key for one submission, so a repeated click counts once. */
export function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `k-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Saves a text as a file in the browser's downloads. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
