import type { Incident } from '../workflows/messages';

/** Operators' list of incidents: effects of cases that failed for good. */
export interface IncidentStore {
  /** Records an incident as it is now (opened, failed again or resolved); idempotent on `incident.id` and `attempts`. */
  record(incident: Incident): Promise<void>;
  /** Open incidents, oldest first. */
  listOpen(filter?: { processId?: string; caseId?: string; limit?: number }): Promise<Incident[]>;
}
