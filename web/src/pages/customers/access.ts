/**
 * What a role may do with customers, as the API decides it (engine/customers.ts): the pages offer a
 * control only to the roles the API would accept it from.
 */
import { CONTACT_ROLES, CUSTOMER_EDITOR_ROLES, CUSTOMER_GRADER_ROLES, CUSTOMER_ROLES } from '../../../../engine/customers';
import type { Customer } from '../../types';

const among = (roles: readonly string[], role: string) => roles.includes(role);

/** Reads records, contacts and timelines (the Customers page and a case's link to its customer). */
export const readsCustomers = (role: string) => among(CUSTOMER_ROLES, role);
/** Creates and edits records. */
export const keepsCustomers = (role: string) => among(CUSTOMER_EDITOR_ROLES, role);
/** Logs calls, e-mails, messages and visits. */
export const logsContacts = (role: string) => among(CONTACT_ROLES, role);
/** Grades this customer: a sales manager any, a sales rep only one they own. */
export const gradesCustomer = (role: string, userId: string, customer: Customer) =>
  among(CUSTOMER_GRADER_ROLES, role) && (role !== 'sales_rep' || customer.owner === userId);
