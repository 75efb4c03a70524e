/**
 * The people and customers of the seeded organisation: users in every role (more of those who do
 * the daily work), and customers with owners, grades, contact persons, the history of their grades
 * and their contact log.
 */
import { ROLE_NAMES } from '../../engine/roles';
import type { Rng } from './rng';

/** Users per role in the full-size organisation (~2,000 people). */
const FULL_ROLE_COUNTS: Record<string, number> = {
  sales_rep: 700,
  cs_agent: 250,
  handler: 300,
  sales_manager: 80,
  service_manager: 60,
  analyst: 50,
  management: 20,
  dept_owner: 50,
  schedule_admin: 15,
  contract_admin: 40,
  hq: 20,
  gm: 25,
  legal: 15,
  auditor: 20,
  process_owner: 6,
  admin: 3,
};

const PREFIX: Record<string, string> = { sales_rep: 'rep', sales_manager: 'salesmgr', service_manager: 'svcmgr', cs_agent: 'cs' };

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo'];
const GIVEN = ['Wei', 'Fang', 'Na', 'Min', 'Jing', 'Li', 'Qiang', 'Lei', 'Jun', 'Yang', 'Yong', 'Yan', 'Jie', 'Tao', 'Ming', 'Chao'];

export interface SeedUser {
  userId: string;
  displayName: string;
  email: string;
  roles: string[];
}

/** Users by role, scaled (at least a few of each role, so that every part of every process has people). */
export function makeUsers(scale: number, rng: Rng): { users: SeedUser[]; byRole: Map<string, string[]> } {
  const users: SeedUser[] = [];
  const byRole = new Map<string, string[]>();
  for (const role of ROLE_NAMES) {
    const full = FULL_ROLE_COUNTS[role] ?? 5;
    const n = Math.max(Math.min(full, 3), Math.round(full * Math.sqrt(Math.min(1, scale))));
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) {
      const userId = `${PREFIX[role] ?? role.replace(/_/g, '')}-${String(i).padStart(4, '0')}`;
      ids.push(userId);
      users.push({
        userId,
        displayName: `${rng.pick(SURNAMES)} ${rng.pick(GIVEN)}`,
        email: `${userId}@example.com`,
        roles: [role],
      });
    }
    byRole.set(role, ids);
  }
  return { users, byRole };
}

const INDUSTRIES = ['manufacturing', 'retail', 'real_estate', 'education', 'healthcare', 'finance', 'logistics', 'catering', 'tourism'];
const SIZES = ['small', 'medium', 'large', 'enterprise'];
const NEEDS = ['brand', 'leads', 'recruitment', 'events', 'online_store'];
const NAME_PARTS = ['Hua', 'Xin', 'Tian', 'Long', 'Feng', 'Sheng', 'Da', 'Jin', 'Heng', 'Yuan', 'Kang', 'Mei', 'Rui', 'Bao'];
const KINDS = ['Trading', 'Technology', 'Furniture', 'Foods', 'Logistics', 'Hotels', 'Education', 'Pharma', 'Motors', 'Media'];
const CITIES = ['Shanghai', 'Hangzhou', 'Suzhou', 'Nanjing', 'Ningbo', 'Wuxi', 'Hefei', 'Beijing', 'Shenzhen', 'Chengdu'];
const POSITIONS = ['Purchasing manager', 'Marketing director', 'General manager', 'Office manager', 'Owner'];

export const customerId = (i: number) => `CUST-${String(i + 1).padStart(6, '0')}`;

export interface SeedCustomer {
  customerId: string;
  name: string;
  contacts: Array<{ name: string; position: string; phone: string; email: string }>;
  industry: string;
  size: string;
  businessScope: string;
  needType: string;
  owner: string | null;
  valueGrade: string | null;
  intentionGrade: string | null;
  createdAt: number;
  createdBy: string;
}

const GRADE_REASONS = [
  'Annual budget confirmed',
  'Renewed last year',
  'Asked for a quotation',
  'Budget cut this year',
  'New decision maker',
  '客户预算增加',
  '合作意向明确',
];

/** One grade change: which grade, from, to, why, who and when. */
export interface GradeChange {
  grade: 'value' | 'intention';
  from: string | null;
  to: string | null;
  reason: string;
  by: string;
  as: string;
  at: number;
}

/** A customer and its grade history (oldest first), ending at the grades the record holds. */
export function makeCustomer(i: number, owners: readonly string[], managers: readonly string[], now: number, rng: Rng) {
  const YEAR = 365 * 86_400_000;
  const createdAt = now - rng.next() * 4 * YEAR;
  const owner = rng.chance(0.97) ? rng.pick(owners) : null;
  const changes: GradeChange[] = [];
  let value: string | null = null;
  let intention: string | null = null;
  const steps = rng.int(4);
  let at = createdAt;
  for (let k = 0; k < steps; k++) {
    at += rng.next() * (now - at) * 0.6;
    const grade = rng.chance(0.5) ? 'value' : 'intention';
    const from: string | null = grade === 'value' ? value : intention;
    const options = grade === 'value' ? ['high', 'medium', 'low'] : ['A', 'B', 'C'];
    const to: string = rng.pick(options.filter((o) => o !== from));
    const byManager = owner === null || rng.chance(0.3);
    changes.push({
      grade,
      from,
      to,
      reason: rng.pick(GRADE_REASONS),
      by: byManager ? rng.pick(managers) : owner,
      as: byManager ? 'sales_manager' : 'sales_rep',
      at,
    });
    if (grade === 'value') value = to;
    else intention = to;
  }
  const contacts = Array.from({ length: 1 + rng.int(3) }, () => {
    const person = `${rng.pick(SURNAMES)} ${rng.pick(GIVEN)}`;
    return {
      name: person,
      position: rng.pick(POSITIONS),
      phone: `1${rng.between(30, 89)}${String(rng.int(100_000_000)).padStart(8, '0')}`,
      email: `${person.toLowerCase().replace(' ', '.')}@example.com`,
    };
  });
  const customer: SeedCustomer = {
    customerId: customerId(i),
    name: `${rng.pick(CITIES)} ${rng.pick(NAME_PARTS)}${rng.pick(NAME_PARTS).toLowerCase()} ${rng.pick(KINDS)} Co., Ltd.`,
    contacts,
    industry: rng.pick(INDUSTRIES),
    size: rng.pick(SIZES),
    businessScope: 'Sales and service in the region',
    needType: rng.pick(NEEDS),
    owner,
    valueGrade: value,
    intentionGrade: intention,
    createdAt,
    createdBy: owner ?? rng.pick(managers),
  };
  return { customer, changes };
}

const CONTACT_SUMMARIES = [
  'Called about the renewal',
  'Sent the quotation by e-mail',
  'Visited the office, met the purchasing manager',
  'Customer called about an invoice',
  '电话回访，客户满意',
  'WeChat message about the schedule',
];

export interface ContactEntry {
  channel: string;
  direction: string;
  summary: string;
  at: number;
  by: string;
  as: string;
}

/** A customer's contact log: a handful of calls, e-mails, messages and visits since it was created. */
export function makeContacts(customer: SeedCustomer, agents: readonly string[], now: number, rng: Rng): ContactEntry[] {
  const n = rng.int(8);
  const out: ContactEntry[] = [];
  for (let k = 0; k < n; k++) {
    const byRep = customer.owner !== null && rng.chance(0.7);
    out.push({
      channel: rng.pick(['phone', 'phone', 'email', 'message', 'visit']),
      direction: rng.chance(0.7) ? 'out' : 'in',
      summary: rng.pick(CONTACT_SUMMARIES),
      at: customer.createdAt + rng.next() * (now - customer.createdAt),
      by: byRep ? customer.owner! : rng.pick(agents),
      as: byRep ? 'sales_rep' : 'cs_agent',
    });
  }
  return out.sort((a, b) => a.at - b.at);
}
