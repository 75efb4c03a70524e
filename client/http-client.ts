/**
 * A client of Docket's HTTP API with the methods the CLI uses on a DocketClient.
 * The server decides who acts (the token's user); an actor's role only selects
 * the role to act in (`X-Docket-Role`), its user id is ignored.
 */
import type { ChainVerification } from '../audit/chain';
import type { CaseVerification } from '../audit/deep';
import type { AuditExport } from '../audit/export';
import type { Actor, TransitionRecord } from '../engine/types';
import type { CaseStatusView, Incident, RetryIncidentsResult, SendEventRequest, SendResult } from '../workflows/messages';
import { toPublished, type PublishedDefinition } from '../ports';
import { DocketError, type StartCaseOptions, type StartedCase } from './docket-client';

/** What the CLI needs of a client: a DocketClient, or this HTTP client. */
export interface CaseClient {
  startCase(processId: string, input: Record<string, unknown>, actor: Actor, options?: StartCaseOptions): Promise<StartedCase>;
  send(caseId: string, request: SendEventRequest): Promise<SendResult>;
  status(caseId: string, role?: string): Promise<CaseStatusView>;
  caseDefinition(caseId: string): Promise<unknown>;
  history(caseId: string): Promise<TransitionRecord[]>;
  listIncidents(filter?: { processId?: string; limit?: number }): Promise<Incident[]>;
  retryIncidents(caseId: string, actor: Actor, incidentId?: string): Promise<RetryIncidentsResult>;
  definitions: { latest(processId: string): Promise<PublishedDefinition | undefined> };
}

export interface ApiUser {
  userId: string;
  displayName: string;
  email: string | null;
  roles: string[];
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export interface HttpClientOptions {
  baseUrl: string;
  token: string;
  /** The role to act in when a call names none (`X-Docket-Role`). */
  role?: string;
  fetch?: typeof fetch;
}

/** Users and tokens are an admin's: the role is named, so that a user with several roles acts as admin. */
const ADMIN = { role: 'admin' } as const;

export class HttpDocketClient implements CaseClient {
  private readonly base: string;

  constructor(private readonly opts: HttpClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  /** Sends a request; an error answer becomes a DocketError with the server's code and message. */
  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; role?: string; idempotencyKey?: string; accept?: string } = {},
  ): Promise<{ body: T; text: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.token}`, accept: options.accept ?? 'application/json' };
    const role = options.role ?? this.opts.role;
    if (role) headers['x-docket-role'] = role;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await (this.opts.fetch ?? fetch)(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // CSV or an empty body
    }
    if (!res.ok) {
      const error = (body as { error?: { code?: string; message?: string; issues?: unknown } } | null)?.error;
      throw new DocketError(
        error?.code ?? `Http${res.status}`,
        error?.message ?? `the API answered ${res.status} ${res.statusText}`,
        error?.issues,
      );
    }
    return { body: body as T, text };
  }

  private static id(value: string): string {
    return encodeURIComponent(value);
  }

  async startCase(processId: string, input: Record<string, unknown>, actor: Actor, options: StartCaseOptions = {}): Promise<StartedCase> {
    return (
      await this.request<StartedCase>('POST', '/cases', {
        body: { process: processId, input },
        role: actor.role,
        ...(options.requestId !== undefined && { idempotencyKey: options.requestId }),
      })
    ).body;
  }

  async send(caseId: string, request: SendEventRequest): Promise<SendResult> {
    return (
      await this.request<SendResult>('POST', `/cases/${HttpDocketClient.id(caseId)}/events`, {
        body: { type: request.type, ...(request.data !== undefined && { data: request.data }) },
        role: request.actor.role,
        ...(request.requestId !== undefined && { idempotencyKey: request.requestId }),
      })
    ).body;
  }

  async status(caseId: string, role?: string): Promise<CaseStatusView> {
    const { body } = await this.request<Omit<CaseStatusView, 'allowedEvents'> & { allowedEvents: Array<{ type: string }> }>(
      'GET',
      `/cases/${HttpDocketClient.id(caseId)}`,
      role !== undefined ? { role } : {},
    );
    return { ...body, allowedEvents: body.allowedEvents.map((e) => e.type) };
  }

  async caseDefinition(caseId: string): Promise<unknown> {
    return (await this.request<{ definition: unknown }>('GET', `/cases/${HttpDocketClient.id(caseId)}/definition`)).body.definition;
  }

  /** A case's whole log, oldest first: every page of it, read one after another. */
  async history(caseId: string): Promise<TransitionRecord[]> {
    const rows: TransitionRecord[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=1000' : `?limit=1000&cursor=${encodeURIComponent(cursor)}`;
      const { body } = await this.request<{ transitions: TransitionRecord[]; nextCursor: string | null }>(
        'GET',
        `/cases/${HttpDocketClient.id(caseId)}/history${query}`,
      );
      rows.push(...body.transitions);
      cursor = body.nextCursor;
    } while (cursor !== null);
    return rows;
  }

  /** The first page of the open incidents (see `listIncidentsPage` for the others). */
  async listIncidents(filter: { processId?: string; limit?: number } = {}): Promise<Incident[]> {
    return (await this.listIncidentsPage(filter)).incidents;
  }

  /** A page of the open incidents, oldest first, and the cursor of the next (null on the last). */
  async listIncidentsPage(
    filter: { processId?: string; limit?: number; cursor?: string } = {},
  ): Promise<{ incidents: Incident[]; nextCursor: string | null }> {
    const query = new URLSearchParams();
    if (filter.processId !== undefined) query.set('process', filter.processId);
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    if (filter.cursor !== undefined) query.set('cursor', filter.cursor);
    const qs = query.toString();
    return (
      await this.request<{ incidents: Incident[]; nextCursor: string | null }>('GET', `/incidents${qs ? `?${qs}` : ''}`, { role: 'admin' })
    ).body;
  }

  async retryIncidents(caseId: string, actor: Actor, incidentId?: string): Promise<RetryIncidentsResult> {
    return (
      await this.request<RetryIncidentsResult>('POST', `/cases/${HttpDocketClient.id(caseId)}/incidents/retry`, {
        body: incidentId === undefined ? {} : { incidentId },
        role: actor.role,
      })
    ).body;
  }

  /** Definitions are read per case over the API; labels of a process before its first case are not available. */
  readonly definitions = { latest: async (_processId: string): Promise<PublishedDefinition | undefined> => undefined };

  /** The latest published version of every process (process owners and auditors); `role` picks one of several. */
  async listDefinitions(role?: string): Promise<PublishedDefinition[]> {
    const { body } = await this.request<{ definitions: Array<{ processId: string }> }>(
      'GET',
      '/definitions',
      role === undefined ? {} : { role },
    );
    const out: PublishedDefinition[] = [];
    for (const d of body.definitions) {
      const found = await this.latestDefinition(d.processId, role);
      if (found) out.push(found);
    }
    return out;
  }

  /** The latest published version of a process, or undefined when there is no such process. */
  async latestDefinition(processId: string, role?: string): Promise<PublishedDefinition | undefined> {
    try {
      const { body } = await this.request<{ definition: unknown }>(
        'GET',
        `/definitions/${HttpDocketClient.id(processId)}`,
        role === undefined ? {} : { role },
      );
      return toPublished(body.definition, `${processId} (from the API)`);
    } catch (err) {
      if (err instanceof DocketError && err.code === 'UnknownProcess') return undefined;
      throw err;
    }
  }

  async me(): Promise<{ userId: string; displayName: string; roles: string[]; role: string }> {
    return (await this.request<{ userId: string; displayName: string; roles: string[]; role: string }>('GET', '/me')).body;
  }

  async listUsers(): Promise<ApiUser[]> {
    return (await this.request<{ users: ApiUser[] }>('GET', '/users', ADMIN)).body.users;
  }

  async addUser(user: { userId: string; displayName: string; email?: string; roles: string[] }): Promise<ApiUser> {
    return (await this.request<ApiUser>('POST', '/users', { ...ADMIN, body: user })).body;
  }

  async issueToken(userId: string): Promise<{ token: string; tokenId: string; userId: string; createdAt: string }> {
    return (
      await this.request<{ token: string; tokenId: string; userId: string; createdAt: string }>(
        'POST',
        `/users/${HttpDocketClient.id(userId)}/tokens`,
        ADMIN,
      )
    ).body;
  }

  async disableUser(userId: string): Promise<ApiUser> {
    return (await this.request<ApiUser>('POST', `/users/${HttpDocketClient.id(userId)}/disable`, ADMIN)).body;
  }

  /** `deep`: also against the case's Temporal history (auditors). */
  async verifyCase(caseId: string, opts: { deep?: boolean } = {}): Promise<CaseVerification> {
    const query = opts.deep ? '?deep=true' : '';
    return (await this.request<CaseVerification>('GET', `/cases/${HttpDocketClient.id(caseId)}/audit/verify${query}`)).body;
  }

  async verifyAll(): Promise<{ ok: boolean; checked: number; broken: ChainVerification[] }> {
    return (await this.request<{ ok: boolean; checked: number; broken: ChainVerification[] }>('GET', '/audit/verify', { role: 'auditor' }))
      .body;
  }

  async exportCase(caseId: string, format: 'json' | 'csv'): Promise<AuditExport | string> {
    const { body, text } = await this.request<AuditExport>('GET', `/cases/${HttpDocketClient.id(caseId)}/audit/export?format=${format}`);
    return format === 'csv' ? text : body;
  }
}
