import { InvalidDataError } from '../../adapters/postgres';
import type { CaseProjection, TransitionRecord } from '../../engine/types';
import type { AppendedTransition, AppendOptions, CaseStore } from '../../ports';

/** A store whose appends go through `append` (given the store's own), and whose reads are the store's. */
export function withAppend(
  store: CaseStore,
  append: (record: TransitionRecord, projection: CaseProjection, options: AppendOptions | undefined) => Promise<AppendedTransition>,
): CaseStore {
  return {
    appendTransition: append,
    getCase: (caseId) => store.getCase(caseId),
    listTransitions: (caseId) => store.listTransitions(caseId),
    listCases: (filter) => store.listCases(filter),
  };
}

/**
 * A `wrapStore` for the harness: the store refuses every row `refuse` names, as PostgreSQL
 * refuses a row it cannot store (a permanent failure, so the case opens an incident).
 */
export function refusingStore(refuse: (record: TransitionRecord) => boolean): (store: CaseStore) => CaseStore {
  return (store) =>
    withAppend(store, async (record, projection, options) => {
      if (refuse(record)) throw new InvalidDataError(`refused row ${record.seq} of the case (test store)`);
      return store.appendTransition(record, projection, options);
    });
}
