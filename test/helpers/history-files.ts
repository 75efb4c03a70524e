/** Writes the Temporal histories of real cases to files that the replay tests replay. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = path.join(__dirname, '..', 'replay', 'histories');

/** Every run of a case, oldest first (continue-as-new makes several), as `<name>[-runN].json`; returns the files. */
export async function saveHistories(client: Client, caseId: string, name: string, dir = HISTORIES_DIR): Promise<string[]> {
  const { runId } = await client.workflow.getHandle(caseId).describe();
  const runs = [];
  for (let id: string | undefined = runId; id;) {
    const history = await client.workflow.getHandle(caseId, id).fetchHistory();
    runs.unshift(history);
    id = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs.map((history, i) => {
    const file = path.join(dir, `${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`);
    writeFileSync(file, historyToJSON(history) + '\n');
    return file;
  });
}

/** Set DOCKET_RECORD_HISTORIES=1 to have the tests that cover interpreter features write their histories. */
export async function recordIfAsked(client: Client, caseId: string, name: string): Promise<void> {
  if (process.env.DOCKET_RECORD_HISTORIES === '1') await saveHistories(client, caseId, name);
}
