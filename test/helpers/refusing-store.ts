import { InvalidDataError } from '../../adapters/postgres';
import type { TransitionRecord } from '../../engine/types';
import type { CaseStore } from '../../ports';

/**
 * A `wrapStore` for the harness: the store refuses every row `refuse` names, as PostgreSQL
 * refuses a row it cannot store (a permanent failure, so the case opens an incident).
 */
export function refusingStore(refuse: (record: TransitionRecord) => boolean): (store: CaseStore) => CaseStore {
  return (store) => ({
    appendTransition: async (record, projection, options) => {
      if (refuse(record)) throw new InvalidDataError(`refused row ${record.seq} of the case (test store)`);
      return store.appendTransition(record, projection, options);
    },
    getCase: (caseId) => store.getCase(caseId),
    listTransitions: (caseId) => store.listTransitions(caseId),
    listCases: (filter) => store.listCases(filter),
  });
}
