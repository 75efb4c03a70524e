/**
 * The libraries of the case workflow that are loaded once per worker and shared by every case.
 *
 * The Temporal SDK runs all workflows of a worker in one reusable V8 context but gives
 * each workflow its own copy of every module of the bundle, so each case would load its
 * libraries again, and run them on classes of its own that V8 cannot optimise across
 * cases. The modules of `bundlerOptions.preloadModules` (see ./bundle-options.ts) are
 * loaded before any workflow and shared; the SDK then deep-freezes everything they
 * export. Only libraries that keep no per-case state and never write to what they
 * export belong here.
 *
 * XState qualifies. zod does not: its string formats (`date`, `email`, `duration`,
 * `ipv4`, …) reset `lastIndex` on regular expressions it exports, which throws once they
 * are frozen, so zod stays per case. The engine and the workflow stay per case too.
 */
import * as xstate from 'xstate';

/** Referenced so that the bundler keeps the library whole (it declares no side effects). */
export const sharedLibraries = { xstate };
