/**
 * The code of the case workflow that is loaded once per worker and shared by every case.
 *
 * The Temporal SDK runs all workflows of a worker in one reusable V8 context but gives
 * each workflow its own copy of every module of the bundle, so each case would load its
 * libraries and the engine again (hundreds of kilobytes per open case), and run them on
 * classes of its own that V8 cannot optimise across cases. The modules of
 * `bundlerOptions.preloadModules` (see ./bundle-options.ts), and every module they import,
 * are loaded before any workflow and shared; the SDK then deep-freezes everything they
 * export. Only code that keeps no per-case state and never writes to what it exports
 * belongs here:
 *
 * - XState.
 * - The engine (engine/): pure functions of a case's definition, snapshot and event. Its
 *   module-level caches (split paths, wall clocks, compiled calendars, task defaults) are
 *   bounded, or keyed by a case's own objects, and hold values computed from their keys
 *   alone, so sharing them changes no result. `test/unit/workflow-preload.test.ts` holds the
 *   engine to that: it imports no Temporal workflow API and builds no zod schema, and its
 *   exports survive being frozen.
 *
 * zod does not qualify: its string formats (`date`, `email`, …) reset `lastIndex` on regular
 * expressions it exports, which throws once they are frozen. The workflow bundle does not load
 * it at all: pinned definitions were validated when they were published.
 * workflows/ stays per case: it holds each case's state.
 */
import * as xstate from 'xstate';
import * as actionableRoles from '../engine/actionable-roles';
import * as coverage from '../engine/calendar/coverage';
import * as check from '../engine/check';
import * as compile from '../engine/compile';
import * as definitionDefaults from '../engine/definition-defaults';
import * as migrationPlan from '../engine/migration-plan';
import * as own from '../engine/own';
import * as step from '../engine/step';
import * as subprocess from '../engine/subprocess';
import * as types from '../engine/types';
import * as workView from '../engine/work/view';

/** Referenced so that the bundler keeps each module whole (they declare no side effects). */
export const sharedModules = {
  xstate,
  engine: { actionableRoles, coverage, check, compile, definitionDefaults, migrationPlan, own, step, subprocess, types, workView },
};
