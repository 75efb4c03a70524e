/**
 * The customer vocabulary (PROCESSES.md §5) that the API, the CLI and the web UI share: the grades,
 * the channels and directions of a contact, and which roles read, keep, grade and contact customers.
 */
import { ROLE_NAMES } from './roles';

export const VALUE_GRADES = ['high', 'medium', 'low'] as const;
export const INTENTION_GRADES = ['A', 'B', 'C'] as const;
export const CONTACT_CHANNELS = ['phone', 'email', 'message', 'visit'] as const;
export const CONTACT_DIRECTIONS = ['in', 'out'] as const;

/** A customer id: a business id, never a name (it appears in cases' search attributes). */
export const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A contact person's phone number: digits, spaces, ( ) and -, an optional leading +. */
export const PHONE_PATTERN = /^\+?[0-9][0-9 ()-]{3,30}$/;

export type ValueGrade = (typeof VALUE_GRADES)[number];
export type IntentionGrade = (typeof INTENTION_GRADES)[number];

/** The roles that deal with customers: each reads every record, contact and case of a customer. */
export const CUSTOMER_ROLES = [
  'sales_rep',
  'sales_manager',
  'cs_agent',
  'handler',
  'service_manager',
  'analyst',
  'management',
  'auditor',
] as const;
/** Who keeps the records (creates and edits them). */
export const CUSTOMER_EDITOR_ROLES = ['sales_rep', 'sales_manager', 'cs_agent'] as const;
/** Who grades customers: a sales manager any, a sales rep only those they own. */
export const CUSTOMER_GRADER_ROLES = ['sales_rep', 'sales_manager'] as const;
/** Who logs contacts: the staff (not auditors, administrators or process owners). */
export const CONTACT_ROLES = ROLE_NAMES.filter((r) => !['auditor', 'admin', 'process_owner'].includes(r));
