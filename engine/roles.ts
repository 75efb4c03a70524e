import type { Labels } from './definition-schema';

/** The roles of the organisation (PROCESSES.md, "Everywhere"). Definitions may only name these. */
export const ROLES: Record<string, Labels> = {
  sales_rep: { en: 'Sales representative', 'zh-CN': '销售人员 / 区域主管' },
  sales_manager: { en: 'Sales manager', 'zh-CN': '销售部门负责人' },
  cs_agent: { en: 'Customer service agent', 'zh-CN': '客服' },
  handler: { en: 'Complaint handler', 'zh-CN': '责任部门处理人' },
  service_manager: { en: 'Service manager', 'zh-CN': '服务/门店经理' },
  analyst: { en: 'Analyst', 'zh-CN': '分析小组成员' },
  management: { en: 'Management', 'zh-CN': '公司管理层' },
  dept_owner: { en: 'Department owner', 'zh-CN': '改进措施负责人' },
  schedule_admin: { en: 'Schedule administrator', 'zh-CN': '排期管理员' },
  contract_admin: { en: 'Contract administrator', 'zh-CN': '合同管理部门' },
  hq: { en: 'Headquarters', 'zh-CN': '总部' },
  gm: { en: 'General manager', 'zh-CN': '分公司总经理' },
  legal: { en: 'Legal', 'zh-CN': '法务' },
  auditor: { en: 'Auditor', 'zh-CN': '审计' },
  process_owner: { en: 'Process owner', 'zh-CN': '流程负责人' },
  admin: { en: 'Administrator', 'zh-CN': '管理员' },
};

export const ROLE_NAMES = Object.keys(ROLES);

/**
 * Docket itself: timers, and the events the API sends when a record changes (a logged contact, a new
 * grade). A definition may name it among the roles that start a case or send an event; no user holds it.
 */
export const SYSTEM_ROLE = 'system';

/** The roles a definition's `startedBy` and events may name: the organisation's and Docket's own. */
export const SENDER_ROLES = [...ROLE_NAMES, SYSTEM_ROLE];
