/**
 * Issue #11: an `always` loop passed the linter and hung the engine. A definition published
 * before the linter refused such loops still runs: an event that would step forever is refused
 * with StepLimitExceeded, and the case, its log and its status stay as they were.
 */
import { definitionHash } from '../../audit/definition-hash';
import { DocketError } from '../../client/docket-client';
import { complaintWithEventlessLoop } from '../helpers/definition-fixtures';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';

let h: Harness;
let looping: number;
beforeAll(async () => {
  h = await createHarness('issue_11_eventless_loop');
  // Published as the next version straight into the store, as the linter of old let it through.
  await h.definitions.list(); // imports the shipped versions from the files first
  looping = (await h.definitions.latest('complaint'))!.version + 1;
  const raw = { ...complaintWithEventlessLoop(), version: looping };
  await h.pool.query(
    `INSERT INTO docket.definition_versions (process_id, version, hash, definition, status, created_by, published_by, published_at)
     VALUES ('complaint', $1, $2, $3::jsonb, 'published', 'system', 'system', now())`,
    [looping, definitionHash(raw), JSON.stringify(raw)],
  );
});
afterAll(async () => {
  await h?.close();
});

test('an event that would loop through always transitions is refused with StepLimitExceeded and changes nothing', async () => {
  const { caseId, definitionVersion } = await h.docket.startCase('complaint', complaintInput, cs);
  expect(definitionVersion).toBe(looping);
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  const before = await h.docket.status(caseId);
  const logBefore = await h.history(caseId);

  const refused = h.docket.send(caseId, {
    type: 'LOG_CONTACT',
    data: { channel: 'phone', summary: 'Called back', loop: true },
    actor: handler,
  });
  await expect(refused).rejects.toBeInstanceOf(DocketError);
  await expect(refused).rejects.toMatchObject({
    code: 'StepLimitExceeded',
    refusal: true,
    message: expect.stringContaining('LOG_CONTACT did not come to rest within 100 steps'),
  });

  const after = await h.docket.status(caseId);
  expect(after.state).toBe('investigating');
  expect(after.context).toEqual(before.context);
  expect(await h.history(caseId)).toEqual(logBefore);

  // The case goes on with an event that comes to rest.
  const applied = await h.docket.send(caseId, {
    type: 'LOG_CONTACT',
    data: { channel: 'phone', summary: 'Called back' },
    actor: handler,
  });
  expect(applied.state).toBe('investigating');
  expect((await h.history(caseId)).map((r) => r.event)).toEqual(['xstate.init', 'ACCEPT', 'LOG_CONTACT']);
});
