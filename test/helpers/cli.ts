import { main } from '../../cli/main';
import type { MainOptions } from '../../cli/context';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `docket …` in-process, capturing what it prints and its exit code. */
export async function runCli(argv: string[], options: MainOptions): Promise<CliRun> {
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } };
  const code = await main(argv, io, options);
  return { code, out, err };
}
