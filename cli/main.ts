import type { Command as CommandType } from 'commander' with { 'resolution-mode': 'import' };
import { historyCommand, sendCommand, startCommand, statusCommand, type SendOptions, type StartOptions } from './cases';
import { CliContext, type CliIo, type MainOptions } from './context';
import { listDefinitionsCommand, showDefinitionCommand, validateDefinitionCommand } from './definitions';
import { EXIT_FAILED, EXIT_OK, EXIT_REFUSED, toFailure, type Failure } from './errors';
import { jsonText } from './format';

export type { CliIo, MainOptions, Writer } from './context';
export { EXIT_FAILED, EXIT_OK, EXIT_REFUSED } from './errors';

const AS_HELP = 'who acts: <user>:<role>, e.g. alice:cs_agent';

const EXAMPLES = `
Examples:
  $ docket start complaint --as alice:cs_agent --input @complaint.json
  $ docket send complaint-1a2b… ACCEPT --as alice:cs_agent --data '{"department":"Quality","assignee":"bob"}'
  $ docket status complaint-1a2b… --as bob:handler
  $ docket history complaint-1a2b… --json
  $ docket definitions validate definitions/complaint.json

Exit codes: 0 done · 1 failed (e.g. servers unreachable) · 2 refused (bad input, or refused by Docket; nothing changed)
`;

/** Commander's own exits that are not errors. */
const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

/** `--json` anywhere before a `--`: known before parsing, so that even parse errors come out as JSON. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

function report(io: CliIo, json: boolean, failure: Failure): number {
  if (json) {
    io.stdout.write(
      jsonText({
        error: { code: failure.code, message: failure.message, ...(failure.issues !== undefined && { issues: failure.issues }) },
      }),
    );
  } else {
    io.stderr.write(`docket: ${failure.message}${failure.code === 'Failed' ? '' : ` [${failure.code}]`}\n`);
  }
  return failure.exitCode;
}

function buildProgram(Command: typeof CommandType, ctx: CliContext, setExit: (code: number) => void): CommandType {
  const { io } = ctx;
  const program = new Command('docket')
    .description('Start and drive Docket cases, and inspect process definitions.')
    .option('--json', 'print JSON instead of text (errors as {"error":{"code","message"}} on stdout)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // Parse errors are reported by main (as text or JSON), not by the parser.
      outputError: () => undefined,
    })
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', EXAMPLES);

  const run = async (command: Promise<number>) => setExit(await command);

  program
    .command('start')
    .description('start a case of a process on its latest definition; prints the case id and state')
    .argument('<process>', 'process id, e.g. complaint')
    .requiredOption('--input <json|@file>', 'the start input: inline JSON or @file.json')
    .requiredOption('--as <user:role>', AS_HELP)
    .option('--request-id <id>', 'idempotency key: starting again with it returns the same case')
    .action((processId: string, opts: StartOptions) => run(startCommand(ctx, processId, opts)));

  program
    .command('send')
    .description('send an event to a case; prints the new state')
    .argument('<caseId>', 'the case id printed by `docket start`')
    .argument('<EVENT>', 'event name, e.g. ACCEPT')
    .option('--data <json|@file>', 'the event data: inline JSON or @file.json')
    .requiredOption('--as <user:role>', AS_HELP)
    .option('--request-id <id>', 'idempotency key: sending again with it applies the event once')
    .action((caseId: string, event: string, opts: SendOptions) => run(sendCommand(ctx, caseId, event, opts)));

  program
    .command('status')
    .description('show a case: state, context, deadlines and the events that may be sent now')
    .argument('<caseId>', 'the case id')
    .option('--as <user:role>', `${AS_HELP}; lists the events this role may send`)
    .action((caseId: string, opts: { as?: string }) => run(statusCommand(ctx, caseId, opts)));

  program
    .command('history')
    .description('show the transition log of a case, oldest first')
    .argument('<caseId>', 'the case id')
    .action((caseId: string) => run(historyCommand(ctx, caseId)));

  const definitions = program.command('definitions').description('list, show and validate process definitions (no servers needed)');
  definitions
    .command('list')
    .description('list the published definitions')
    .action(() => run(listDefinitionsCommand(ctx)));
  definitions
    .command('show')
    .description('summarise a definition (states, events, parameters, delays); --json prints the definition')
    .argument('<process>', 'process id, e.g. complaint')
    .action((processId: string) => run(showDefinitionCommand(ctx, processId)));
  definitions
    .command('validate')
    .description('lint a definition file; exit 0 when clean, 2 when it has problems')
    .argument('<file>', 'the definition JSON file')
    .action((file: string) => run(validateDefinitionCommand(ctx, file)));

  return program;
}

/**
 * Runs the `docket` command line with `argv` (the arguments after the program
 * name) and resolves to the exit code. Output goes only through `io`; the
 * process is never exited, and connections are closed before resolving.
 */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
  options: MainOptions = {},
): Promise<number> {
  const json = wantsJson(argv);
  const ctx = new CliContext(io, json, options);
  let exitCode = EXIT_OK;
  try {
    const { Command, CommanderError } = await import('commander');
    const program = buildProgram(Command, ctx, (code) => (exitCode = code));
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (err) {
      if (!(err instanceof CommanderError)) throw err;
      if (HELP_CODES.has(err.code)) return EXIT_OK;
      if (err.code === 'commander.help') {
        // No command given: the help went to stderr.
        return json
          ? report(io, json, { exitCode: EXIT_REFUSED, code: 'InvalidArgument', message: 'no command given: see docket --help' })
          : EXIT_REFUSED;
      }
      const message = err.message.replace(/^error: /, '').replace(/\.$/, '');
      return report(io, json, {
        exitCode: EXIT_REFUSED,
        code: 'InvalidArgument',
        message: json ? message : `${message} (see docket <command> --help)`,
      });
    }
    return exitCode;
  } catch (err) {
    return report(io, json, toFailure(err, ctx.configIfLoaded));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`docket: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
