import type { Incident } from '../workflows/messages';

/** Operators' list of incidents: effects of cases that failed for good. */
export interface IncidentStore {
  /** Records an incident as it is now (opened, failed again or resolved); idempotent on `incident.id` and `attempts`. */
  record(incident: Incident): Promise<void>;
  /** Open incidents, oldest first (by opening time, then id); `after`: those after that one (the next page). */
  listOpen(filter?: IncidentFilter): Promise<Incident[]>;
}

export interface IncidentFilter {
  processId?: string;
  caseId?: string;
  limit?: number;
  /** The last incident of the previous page: its opening time and id. */
  after?: { openedAt: string; id: string };
}
