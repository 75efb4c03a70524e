import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DocketError, type DocketClient } from '../../client/docket-client';
import type { ConnectedClient } from '../../client/setup';
import { loadConfig, PROJECT_ROOT, type DocketConfig } from '../../config';
import { parseActor, readJsonObject } from '../../cli/args';
import { CliError } from '../../cli/errors';
import { main, type MainOptions } from '../../cli/main';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'docket-cli-test-'));
const complaintFile = path.join(PROJECT_ROOT, 'definitions', 'complaint.json');

/** Configuration that names no servers (no runtime.json is read from the temp folder). */
const config: DocketConfig = loadConfig({ DOCKET_DATA_DIR: tmp });

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], options: MainOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const neverConnect = () => Promise.reject(new Error('this command must not connect'));
  const code = await main(argv, io, { config, cwd: tmp, connect: neverConnect, ...options });
  return { code, stdout, stderr };
}

/** A connection to a stand-in client; `close` is recorded. */
function fakeConnection(docket: Partial<DocketClient>): { connect: MainOptions['connect']; closed: () => number } {
  let closed = 0;
  const connection: ConnectedClient = {
    docket: docket as DocketClient,
    close: async () => {
      closed++;
    },
  };
  return { connect: async () => connection, closed: () => closed };
}

describe('--as <user>:<role>', () => {
  it('reads the user and the role', () => {
    expect(parseActor('alice:cs_agent')).toEqual({ userId: 'alice', role: 'cs_agent' });
    expect(parseActor('  bob : handler ')).toEqual({ userId: 'bob', role: 'handler' });
  });

  it('takes the role after the last colon, so user ids may contain colons', () => {
    expect(parseActor('ldap:cn=bob:handler')).toEqual({ userId: 'ldap:cn=bob', role: 'handler' });
  });

  it.each([
    ['alice', /must look like <user>:<role>/],
    [':cs_agent', /names no user/],
    ['alice:', /names no role/],
    ['', /must look like <user>:<role>/],
  ])('refuses %j', (text, message) => {
    expect(() => parseActor(text)).toThrow(message);
    try {
      parseActor(text);
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).code).toBe('InvalidArgument');
      expect((err as CliError).refusal).toBe(true);
    }
  });

  it('refuses an unknown role and suggests the closest one', () => {
    expect(() => parseActor('alice:cs_agnet')).toThrow('unknown role "cs_agnet" — did you mean "cs_agent"?');
  });
});

describe('--data / --input <json|@file>', () => {
  it('reads inline JSON', () => {
    expect(readJsonObject('{"reason":"late","n":2}', '--data', tmp)).toEqual({ reason: 'late', n: 2 });
  });

  it('reads @file relative to the working folder, and absolute paths', () => {
    writeFileSync(path.join(tmp, 'payload.json'), '{"department":"Quality","assignee":"bob"}');
    expect(readJsonObject('@payload.json', '--data', tmp)).toEqual({ department: 'Quality', assignee: 'bob' });
    expect(readJsonObject(`@${path.join(tmp, 'payload.json')}`, '--data', '/')).toEqual({ department: 'Quality', assignee: 'bob' });
  });

  it('refuses a missing file', () => {
    expect(() => readJsonObject('@missing.json', '--data', tmp)).toThrow('--data: cannot read "missing.json": no such file');
  });

  it('refuses invalid JSON, inline or in a file', () => {
    expect(() => readJsonObject('{reason: late}', '--data', tmp)).toThrow(/^--data: invalid JSON: .*quote it for the shell/);
    writeFileSync(path.join(tmp, 'broken.json'), '{"a": ');
    expect(() => readJsonObject('@broken.json', '--input', tmp)).toThrow(/^--input: invalid JSON in "broken.json": /);
  });

  it('refuses JSON that is not an object', () => {
    expect(() => readJsonObject('[1,2]', '--data', tmp)).toThrow('--data must be a JSON object, got an array');
    expect(() => readJsonObject('null', '--data', tmp)).toThrow('--data must be a JSON object, got null');
    expect(() => readJsonObject('"x"', '--data', tmp)).toThrow('--data must be a JSON object, got a string');
  });

  it('refuses a bare @', () => {
    expect(() => readJsonObject('@', '--data', tmp)).toThrow('"@" must be followed by a file name');
  });
});

describe('refused input on the command line', () => {
  it('exits 2 with the reason on stderr for a malformed --as, without connecting', async () => {
    const r = await run(['start', 'complaint', '--as', 'alice', '--input', '{}']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--as must look like <user>:<role>');
    expect(r.stderr).toContain('[InvalidArgument]');
  });

  it('prints {"error":{"code","message"}} on stdout with --json', async () => {
    const r = await run(['send', 'complaint-1', 'ACCEPT', '--as', 'alice:cs_agent', '--data', '{bad', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const body = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(body).toEqual({ error: { code: 'InvalidArgument', message: expect.stringMatching(/^--data: invalid JSON/) } });
  });

  it('refuses a missing @file', async () => {
    const r = await run(['send', 'complaint-1', 'ACCEPT', '--as', 'alice:cs_agent', '--data', '@nope.json', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'InvalidArgument', message: '--data: cannot read "nope.json": no such file' } });
  });

  it('reports parse errors (missing option, unknown command, extra arguments) as refusals', async () => {
    const missing = await run(['start', 'complaint', '--input', '{}', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { code: 'InvalidArgument', message: expect.stringContaining("required option '--as") },
    });

    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");

    const extra = await run(['history', 'a', 'b']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('too many arguments');
  });

  it('prints help on stdout and exits 0 for --help; no command at all is a refusal', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: docket');
    expect(help.stdout).toContain('definitions');

    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: docket');
  });
});

/** A stand-in for the security log `--direct` writes to. */
function recordingLog(): { securityLog: NonNullable<MainOptions['securityLog']>; rows: Array<{ code: string; userId?: string | null }> } {
  const rows: Array<{ code: string; userId?: string | null }> = [];
  return { securityLog: { record: async (e) => void rows.push(e) }, rows };
}

describe('commands against a client (--direct)', () => {
  it('passes the parsed actor, input and request id to startCase and prints {caseId, state}', async () => {
    writeFileSync(path.join(tmp, 'input.json'), JSON.stringify({ customer: 'C-1' }));
    const startCase = jest.fn(async () => ({
      caseId: 'complaint-x',
      processId: 'complaint',
      definitionVersion: 1,
      state: 'received',
      status: 'open',
    }));
    const fake = fakeConnection({ startCase });
    const log = recordingLog();
    const r = await run(
      ['--direct', 'start', 'complaint', '--as', 'alice:cs_agent', '--input', '@input.json', '--request-id', 'r-1', '--json'],
      { connect: fake.connect, securityLog: log.securityLog },
    );
    expect(r.code).toBe(0);
    expect(log.rows).toEqual([
      expect.objectContaining({ code: 'DirectAccess', userId: 'alice', role: 'cs_agent', method: 'CLI', path: 'docket start complaint' }),
    ]);
    expect(JSON.parse(r.stdout)).toEqual({ caseId: 'complaint-x', state: 'received' });
    expect(startCase).toHaveBeenCalledWith('complaint', { customer: 'C-1' }, { userId: 'alice', role: 'cs_agent' }, { requestId: 'r-1' });
    expect(fake.closed()).toBe(1);
  });

  it('exits 2 with the DocketError code for a refusal, and closes the connection', async () => {
    const send = jest.fn(async () => {
      throw new DocketError('Forbidden', 'role "handler" may not send APPROVE; it is for service_manager');
    });
    const fake = fakeConnection({ send });
    const { securityLog } = recordingLog();
    const r = await run(['--direct', 'send', 'complaint-x', 'APPROVE', '--as', 'bob:handler', '--json'], {
      connect: fake.connect,
      securityLog,
    });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'Forbidden', message: 'role "handler" may not send APPROVE; it is for service_manager' },
    });
    expect(fake.closed()).toBe(1);

    const human = await run(['send', 'complaint-x', 'APPROVE', '--as', 'bob:handler', '--direct'], { connect: fake.connect, securityLog });
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe('docket: role "handler" may not send APPROVE; it is for service_manager [Forbidden]\n');
  });

  it('exits 2 with CaseNotFound for an unknown case', async () => {
    const fake = fakeConnection({
      history: async () => {
        throw new DocketError('CaseNotFound', 'no case "nope"');
      },
    });
    const r = await run(['history', 'nope', '--json', '--direct'], { connect: fake.connect, ...recordingLog() });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'CaseNotFound', message: 'no case "nope"' } });
  });

  it('exits 1 for any other failure', async () => {
    const r = await run(['history', 'x', '--direct'], { connect: () => Promise.reject(new Error('boom')), ...recordingLog() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('docket: boom\n');
  });

  it('without an API and without --direct, says how to configure one instead of connecting (exit 2)', async () => {
    const r = await run(['status', 'x', '--json']);
    expect(r.code).toBe(2);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('NotConfigured');
    expect(error.message).toMatch(/npm start.*DOCKET_API_URL.*DOCKET_TOKEN.*--direct/);
  });

  it('explains a missing database configuration with --direct instead of trying to connect', async () => {
    const r = await run(['status', 'x', '--json', '--direct'], { connect: undefined });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'NotConfigured', message: expect.stringContaining('DATABASE_URL') } });
  });

  it('refuses the command when --direct cannot be recorded; nothing is connected', async () => {
    const fake = fakeConnection({ history: async () => [] });
    const securityLog = { record: () => Promise.reject(new Error('permission denied for table security_log')) };
    const r = await run(['history', 'x', '--direct', '--json'], { connect: fake.connect, securityLog });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/cannot write the direct access to the security log.*nothing was done/);
    expect(fake.closed()).toBe(0);
  });

  it('refuses --direct together with --api or --token', async () => {
    const r = await run(['--direct', '--token', 't', 'history', 'x', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('InvalidArgument');
  });
});

describe('customer <customerId>', () => {
  it('refuses a bad --limit and a blank customer id, without connecting', async () => {
    const zero = await run(['customer', 'CUST-1', '--limit', '0', '--json']);
    expect(zero.code).toBe(2);
    expect(JSON.parse(zero.stdout)).toEqual({
      error: { code: 'InvalidArgument', message: '--limit must be a whole number from 1 to 1000, got "0"' },
    });
    const words = await run(['customer', 'CUST-1', '--limit', 'ten']);
    expect(words.code).toBe(2);
    expect(words.stderr).toContain('--limit must be a whole number');
    const blank = await run(['customer', ' ', '--json']);
    expect(blank.code).toBe(2);
    expect(JSON.parse(blank.stdout).error.code).toBe('InvalidArgument');
  });

  it('needs its customer id, and takes no more arguments', async () => {
    const missing = await run(['customer', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { code: 'InvalidArgument', message: expect.stringContaining("missing required argument 'customerId'") },
    });
    const extra = await run(['customer', 'a', 'b']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('too many arguments');
  });

  it('explains that it needs the API (or --direct) when none is configured', async () => {
    const r = await run(['customer', 'CUST-1', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'NotConfigured', message: expect.stringContaining('DOCKET_API_URL') } });
  });

  it('is listed in the help', async () => {
    const help = await run(['--help']);
    expect(help.stdout).toMatch(/customer +customer records, grades, contacts and/);
    const sub = await run(['customer', '--help']);
    expect(sub.stdout).toMatch(/timeline \[options\] <customerId> +a customer's timeline/);
    for (const command of ['create', 'edit', 'show', 'find', 'grade', 'contact', 'contacts', 'import-from-cases']) {
      expect(sub.stdout).toMatch(new RegExp(`\\n  ${command} `));
    }
  });
});

describe('definitions (no servers)', () => {
  it('validate: a good file exits 0', async () => {
    const r = await run(['definitions', 'validate', complaintFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${complaintFile}: OK (complaint v2)\n`);
    expect(r.stderr).toBe('');
  });

  it('validate: a bad file exits 2 and prints each problem as `path: message`', async () => {
    const raw = JSON.parse(readFileSync(complaintFile, 'utf8')) as {
      machine: { states: { received: { on: { ACCEPT: { target: string } } } } };
      events: { ACCEPT: { roles: string[] } };
    };
    raw.machine.states.received.on.ACCEPT.target = 'investigatng';
    raw.events.ACCEPT.roles = ['cs_agnet'];
    writeFileSync(path.join(tmp, 'bad.json'), JSON.stringify(raw));

    const r = await run(['definitions', 'validate', 'bad.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('bad.json: 2 problems\n');
    expect(r.stdout).toContain('  machine.states.received.on.ACCEPT: unknown target "investigatng" — did you mean "investigating"?\n');
    expect(r.stdout).toContain('  events.ACCEPT.roles[0]: unknown role "cs_agnet" — did you mean "cs_agent"?\n');

    const json = await run(['definitions', 'validate', 'bad.json', '--json']);
    expect(json.code).toBe(2);
    const body = JSON.parse(json.stdout) as { ok: boolean; problems: Array<{ code: string; path: string; message: string }> };
    expect(body.ok).toBe(false);
    expect(body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'unknown-target', path: 'machine.states.received.on.ACCEPT' })]),
    );
  });

  it('validate: a file that is not JSON exits 2; a missing file is refused', async () => {
    writeFileSync(path.join(tmp, 'not-json.json'), '{"process": ');
    const broken = await run(['definitions', 'validate', 'not-json.json']);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toMatch(/^ {2}\(file\): invalid JSON: /m);

    const missing = await run(['definitions', 'validate', 'missing.json', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { code: 'InvalidArgument', message: 'definitions validate: cannot read "missing.json": no such file' },
    });
  });

  it('validate in Chinese: --lang zh-CN, or DOCKET_LANG / LANG; warnings shown apart and the exit stays 0', async () => {
    const d = JSON.parse(readFileSync(complaintFile, 'utf8'));
    delete d.events.ACCEPT.payload.properties.assignee['x-labels'];
    writeFileSync(path.join(tmp, 'unlabelled.json'), JSON.stringify(d));
    const en = await run(['definitions', 'validate', 'unlabelled.json']);
    expect(en.code).toBe(0);
    expect(en.stdout).toBe(
      'unlabelled.json: OK (complaint v2)\n1 warning (they do not stop publishing):\n  events.ACCEPT.payload.properties.assignee: field "assignee" has no en or zh-CN label — add "x-labels": { "en": …, "zh-CN": … } to it\n',
    );
    const zh = await run(['--lang', 'zh-CN', 'definitions', 'validate', 'unlabelled.json']);
    expect(zh.code).toBe(0);
    expect(zh.stdout).toContain(
      '1 个警告（不影响发布）:\n  events.ACCEPT.payload.properties.assignee: 字段 "assignee" 缺少 en、zh-CN 标签',
    );

    d.machine.states.received.on.ACCEPT.target = 'investigatin';
    writeFileSync(path.join(tmp, 'broken-zh.json'), JSON.stringify(d));
    for (const env of [{ DOCKET_LANG: 'zh-CN' }, { LANG: 'zh_CN.UTF-8' }]) {
      const broken = await run(['definitions', 'validate', 'broken-zh.json'], { config: loadConfig({ DOCKET_DATA_DIR: tmp, ...env }) });
      expect(broken.code).toBe(2);
      expect(broken.stdout).toContain(
        'broken-zh.json: 1 个问题\n  machine.states.received.on.ACCEPT: 未知目标 "investigatin"——是否想写 "investigating"？',
      );
    }
    const c = await run(['--lang', 'fr', 'definitions', 'validate', 'broken-zh.json', '--json']);
    expect(c.code).toBe(2);
    expect(JSON.parse(c.stdout).error.message).toBe('--lang: "fr" is not a language: write en or zh-CN');
    const json = await run(['definitions', 'validate', 'unlabelled.json', '--json']);
    expect(JSON.parse(json.stdout).warnings).toEqual([
      expect.objectContaining({ code: 'missing-field-label', messageZh: expect.stringContaining('字段') }),
    ]);
  });

  it('list and show read the definitions folder', async () => {
    const list = await run(['definitions', 'list', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as Array<{ processId: string }>;
    expect(listed).toContainEqual(
      expect.objectContaining({ processId: 'complaint', version: 2, labels: { en: 'Complaint handling', 'zh-CN': '客户投诉处理' } }),
    );
    expect(listed).toContainEqual(
      expect.objectContaining({ processId: 'visit', version: 2, labels: { en: 'Client site visit', 'zh-CN': '客户拜访' } }),
    );

    const table = await run(['definitions', 'list']);
    expect(table.stdout).toMatch(/^PROCESS +VERSION +HASH +LABEL \(en\) +LABEL \(zh-CN\)\n/);
    expect(table.stdout).toMatch(/^complaint +v2 +[0-9a-f]{12} +Complaint handling +客户投诉处理$/m);
    expect(table.stdout).toMatch(/^visit +v2 +[0-9a-f]{12} +Client site visit +客户拜访$/m);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(1 + listed.length);

    const show = await run(['definitions', 'show', 'complaint']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('complaint v2 · Complaint handling / 客户投诉处理');
    expect(show.stdout).toMatch(/investigating +Investigating \/ 调查核实/);
    expect(show.stdout).toMatch(/approvalLimit +5000 +CNY/);

    const raw = await run(['definitions', 'show', 'complaint', '--json']);
    expect(JSON.parse(raw.stdout)).toEqual(JSON.parse(readFileSync(complaintFile, 'utf8')));

    const unknown = await run(['definitions', 'show', 'complaitn', '--json']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: { code: 'UnknownProcess', message: 'no process "complaitn" — did you mean "complaint"?' },
    });
  });
});
