/** The data-at-scale flags of `npm run bench`, taken out of the command line before the benchmark's own. */
import { UsageError } from '../options';
import { DEFAULT_SCALE_OPTIONS, type ScaleOptions } from './run';

export const SCALE_USAGE = `Data at scale (PostgreSQL only; see bench/scale/):
  --seed-scale               also seed (or reuse) the large data set and time the API's reads on it
  --only scale               only that: no Temporal, no workers
  --scale <f>                size of the data set: 1 is 100,000 open cases, 1,000,000 closed, 10,000,000
                             transitions, 50,000 customers (${DEFAULT_SCALE_OPTIONS.scale}; --smoke: 0.002)
  --reseed                   seed again even when the database holds that scale already
  --scale-samples <n>        timed requests per query (${DEFAULT_SCALE_OPTIONS.samples}; --smoke: 3)
  The data set lives in the database ${DEFAULT_SCALE_OPTIONS.database} (…_0_01 for --scale 0.01) of its own
  PostgreSQL (.cache/bench-scale-postgres, port 5443; or the server of DATABASE_URL).`;

export interface ScaleFlags {
  /** The data-at-scale part, when asked for. */
  scale?: ScaleOptions;
  /** Only that part. */
  only: boolean;
  /** The other flags, for the benchmark's own parser. */
  rest: string[];
}

/** A database per size, so that a quick run at a small scale never replaces the full data set. */
export function scaleDatabase(scale: number): string {
  const base = DEFAULT_SCALE_OPTIONS.database;
  return scale === 1 ? base : `${base}_${String(scale).replace(/[^0-9]/g, '_')}`;
}

function positiveNumber(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} needs a positive number, got ${JSON.stringify(text)}`);
  return n;
}

/** Reads --seed-scale, --only scale, --scale, --reseed and --scale-samples; leaves the rest. */
export function parseScaleFlags(argv: readonly string[]): ScaleFlags {
  const rest: string[] = [];
  const smoke = argv.includes('--smoke');
  const opts: ScaleOptions = { ...DEFAULT_SCALE_OPTIONS, ...(smoke && { scale: 0.002, samples: 3 }) };
  let wanted = false;
  let only = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--seed-scale') wanted = true;
    else if (flag === '--only') {
      const what = value();
      if (what !== 'scale') throw new UsageError(`--only takes "scale", got ${JSON.stringify(what)}`);
      wanted = only = true;
    } else if (flag === '--scale') opts.scale = positiveNumber(value(), '--scale');
    else if (flag === '--reseed') opts.reseed = true;
    else if (flag === '--scale-samples') opts.samples = Math.ceil(positiveNumber(value(), '--scale-samples'));
    else rest.push(arg);
  }
  return { ...(wanted && { scale: { ...opts, database: scaleDatabase(opts.scale) } }), only, rest };
}
