/** Benchmark options: defaults, the smoke preset, and parsing from flags and the environment. */
import path from 'node:path';

export interface BenchOptions {
  /** Complaint cases per implementation in the throughput measurement, split over the rounds. */
  cases: number;
  /** Throughput and latency rounds; the two implementations alternate within and across rounds. */
  rounds: number;
  /** Concurrent clients in the throughput rounds. */
  concurrency: number;
  /** Cases per implementation run before measuring, to warm up both workers. */
  warmupCases: number;
  /** Cases per latency round and implementation, and their concurrent clients. */
  latencyCases: number;
  latencyConcurrency: number;
  /** Temporal history events of the case that is replayed, and how many timed replays. */
  replayEvents: number;
  replayRepeats: number;
  /** Open cases held by the worker whose memory is measured. */
  memoryCases: number;
  /** Events timed per process definition in the interpreter measurement. */
  interpreterEvents: number;
  /** Completed cases per implementation whose history size is read. */
  historySample: number;
  /** Also measure Docket with 1 and with 2 worker processes on one task queue (scale-out; rounds like the throughput's). */
  scaleOut: boolean;
  /** Also measure the effect of the worker tuning options (several more rounds). */
  tuning: boolean;
  /** Docket's bundle preloads XState once per worker, as the worker builds it; false builds it with no options. */
  preload: boolean;
  smoke: boolean;
  /** Where results are written (`<timestamp>.json` and `latest.json`); none when empty. */
  outDir: string;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  cases: 500,
  rounds: 4,
  concurrency: 50,
  warmupCases: 50,
  latencyCases: 20,
  latencyConcurrency: 5,
  replayEvents: 1000,
  replayRepeats: 5,
  memoryCases: 1000,
  interpreterEvents: 20_000,
  historySample: 20,
  scaleOut: true,
  tuning: false,
  preload: true,
  smoke: false,
  outDir: path.join(__dirname, 'results'),
};

/** A handful of cases: checks that every measurement works, in well under a minute. */
export const SMOKE_OPTIONS: BenchOptions = {
  ...DEFAULT_OPTIONS,
  cases: 6,
  rounds: 1,
  concurrency: 3,
  warmupCases: 1,
  latencyCases: 2,
  latencyConcurrency: 2,
  replayEvents: 100,
  replayRepeats: 2,
  memoryCases: 10,
  interpreterEvents: 500,
  historySample: 2,
  smoke: true,
};

const NUMERIC: Record<string, keyof BenchOptions> = {
  cases: 'cases',
  rounds: 'rounds',
  concurrency: 'concurrency',
  warmup: 'warmupCases',
  'latency-cases': 'latencyCases',
  'latency-concurrency': 'latencyConcurrency',
  'replay-events': 'replayEvents',
  'replay-repeats': 'replayRepeats',
  'memory-cases': 'memoryCases',
  'interpreter-events': 'interpreterEvents',
  'history-sample': 'historySample',
};

export const USAGE = `npm run bench -- [options]

  --smoke                    a handful of cases: checks that every measurement works
  --cases <n>                throughput cases per implementation, split over the rounds (${DEFAULT_OPTIONS.cases}; env BENCH_CASES)
  --rounds <n>               throughput and latency rounds, alternating the two (${DEFAULT_OPTIONS.rounds}; env BENCH_ROUNDS)
  --concurrency <n>          concurrent clients in throughput rounds (${DEFAULT_OPTIONS.concurrency}; env BENCH_CONCURRENCY)
  --warmup <n>               warm-up cases per implementation (${DEFAULT_OPTIONS.warmupCases})
  --latency-cases <n>        cases per latency round (${DEFAULT_OPTIONS.latencyCases})
  --latency-concurrency <n>  concurrent clients in latency rounds (${DEFAULT_OPTIONS.latencyConcurrency})
  --replay-events <n>        history events of the replayed case (${DEFAULT_OPTIONS.replayEvents})
  --replay-repeats <n>       timed replays (${DEFAULT_OPTIONS.replayRepeats})
  --memory-cases <n>         open cases in the worker whose memory is measured (${DEFAULT_OPTIONS.memoryCases})
  --interpreter-events <n>   events timed per process definition (${DEFAULT_OPTIONS.interpreterEvents})
  --history-sample <n>       cases per implementation whose history size is read (${DEFAULT_OPTIONS.historySample})
  --no-scale-out             skip the scale-out rounds (Docket with 1 and with 2 worker processes, --cases each)
  --tuning                   also measure worker tuning options (cache size, concurrency)
  --no-preload               bundle Docket's workflow without preloading its libraries (to measure what that gains)
  --out <dir>                results folder (bench/results); --no-out writes nothing

Servers: DATABASE_URL and TEMPORAL_ADDRESS when set; otherwise an embedded PostgreSQL
(.cache/bench-postgres, port 5441) and an in-memory Temporal dev server.`;

/** Options from command-line flags, over BENCH_* environment variables, over the defaults (or the smoke preset). */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  const opts: BenchOptions = { ...(smoke ? SMOKE_OPTIONS : DEFAULT_OPTIONS) };
  for (const [flag, key] of Object.entries(NUMERIC)) {
    const fromEnv = env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];
    if (fromEnv !== undefined && fromEnv !== '')
      (opts as unknown as Record<string, unknown>)[key] = positiveInt(fromEnv, `BENCH_${flag.toUpperCase()}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--smoke') continue;
    if (arg === '--tuning') opts.tuning = true;
    else if (arg === '--no-preload') opts.preload = false;
    else if (arg === '--no-scale-out') opts.scaleOut = false;
    else if (arg === '--no-out') opts.outDir = '';
    else if (arg === '--out') opts.outDir = path.resolve(required(argv[++i], arg));
    else if (arg === '--help' || arg === '-h') throw new UsageError(USAGE, true);
    else {
      const [name, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [undefined, undefined];
      const key = name === undefined ? undefined : NUMERIC[name];
      if (key === undefined) throw new UsageError(`unknown option ${arg}\n\n${USAGE}`);
      (opts as unknown as Record<string, unknown>)[key] = positiveInt(inline ?? required(argv[++i], arg), arg);
    }
  }
  return opts;
}

export class UsageError extends Error {
  constructor(
    message: string,
    /** True for --help: the usage was asked for, nothing is wrong. */
    readonly help = false,
  ) {
    super(message);
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`${flag} needs a value`);
  return value;
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive whole number, got ${JSON.stringify(text)}`);
  return n;
}
