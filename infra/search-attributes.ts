/**
 * Docket's custom search attributes on a Temporal namespace (workflows/search-attributes.ts):
 * registered on every server Docket starts or prepares (the dev server, the test servers, a
 * server on PostgreSQL), checked by the worker and the API at start on any other.
 */
import type { OperatorService } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { DOCKET_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** A connection to Temporal: the client's `Connection` or the worker's `NativeConnection`. */
export interface OperatorConnection {
  readonly operatorService: OperatorService;
}

/** gRPC's ALREADY_EXISTS and UNIMPLEMENTED status codes. */
const GRPC_ALREADY_EXISTS = 6;
const GRPC_UNIMPLEMENTED = 12;

const codeOf = (err: unknown) => (err as { code?: number }).code;

/** The command that registers Docket's search attributes on a namespace (for a cluster's operator). */
export function searchAttributeCommand(namespace: string): string {
  return [
    'temporal operator search-attribute create',
    `--namespace ${namespace}`,
    ...DOCKET_SEARCH_ATTRIBUTES.map((a) => `--name ${a.name} --type ${TypedSearchAttributes.toMetadataType(a.type)}`),
  ].join(' ');
}

/**
 * Docket's attributes the namespace lacks, and those it has with another type; undefined from a
 * server that cannot list them (Temporal's Java test server adds them but does not list them).
 */
export async function searchAttributeProblems(
  connection: OperatorConnection,
  namespace: string,
): Promise<{ missing: string[]; wrongType: string[] } | undefined> {
  let customAttributes;
  try {
    ({ customAttributes } = await connection.operatorService.listSearchAttributes({ namespace }));
  } catch (err) {
    if (codeOf(err) === GRPC_UNIMPLEMENTED) return undefined;
    throw err;
  }
  const missing: string[] = [];
  const wrongType: string[] = [];
  for (const { name, type } of DOCKET_SEARCH_ATTRIBUTES) {
    const registered = customAttributes?.[name];
    if (registered === undefined || registered === null) missing.push(name);
    else if (registered !== encodeSearchAttributeIndexedValueType(type)) wrongType.push(name);
  }
  return { missing, wrongType };
}

/**
 * Registers Docket's search attributes on `namespace` (those it lacks; idempotent, and safe when
 * several processes do it at once) and waits until the server lists them all.
 */
export async function ensureSearchAttributes(connection: OperatorConnection, namespace: string, timeoutMs = 30_000): Promise<void> {
  const problems = await searchAttributeProblems(connection, namespace);
  if (problems?.wrongType.length) throw new Error(wrongTypeMessage(problems.wrongType, namespace));
  // A server that cannot list them gets each one on its own (one it has already answers ALREADY_EXISTS).
  const missing = problems?.missing ?? DOCKET_SEARCH_ATTRIBUTES.map((a) => a.name);
  if (missing.length === 0) return;
  const types = new Map(DOCKET_SEARCH_ATTRIBUTES.map((a) => [a.name, a.type]));
  const add = async (names: string[]) => {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(names.map((name) => [name, encodeSearchAttributeIndexedValueType(types.get(name))!])),
      });
    } catch (err) {
      // Another process registered them first.
      if (codeOf(err) !== GRPC_ALREADY_EXISTS) throw err;
    }
  };
  if (problems) await add(missing);
  else for (const name of missing) await add([name]);
  for (const deadline = Date.now() + timeoutMs; ;) {
    const now = await searchAttributeProblems(connection, namespace);
    if (!now) return;
    if (now.wrongType.length > 0) throw new Error(wrongTypeMessage(now.wrongType, namespace));
    if (now.missing.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `registered Docket's search attributes on namespace "${namespace}", but the server still lacks ${now.missing.join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Throws, saying how to fix it, when `namespace` lacks Docket's search attributes: cases could
 * not be started there. For a worker or an API process at its start (a server that cannot list
 * them, a test server, passes: it refuses a case's upsert of an attribute it lacks).
 */
export async function requireSearchAttributes(connection: OperatorConnection, namespace: string): Promise<void> {
  const problems = await searchAttributeProblems(connection, namespace);
  if (!problems) return;
  const { missing, wrongType } = problems;
  if (wrongType.length > 0) throw new Error(wrongTypeMessage(wrongType, namespace));
  if (missing.length > 0)
    throw new Error(
      `Temporal namespace "${namespace}" lacks Docket's search attributes ${missing.join(', ')}, so no case can be started there. ` +
        `Register them once (README, "Temporal visibility"): ${searchAttributeCommand(namespace)}`,
    );
}

function wrongTypeMessage(names: string[], namespace: string): string {
  const expected = DOCKET_SEARCH_ATTRIBUTES.filter((a) => names.includes(a.name)).map(
    (a) => `${a.name} (${TypedSearchAttributes.toMetadataType(a.type)})`,
  );
  return `Temporal namespace "${namespace}" has search attributes ${names.join(', ')} with another type than Docket's: ${expected.join(', ')}; remove them (temporal operator search-attribute remove) or use another namespace`;
}
