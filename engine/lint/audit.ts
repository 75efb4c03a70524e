import { isLibraryList, libraryFields } from '../library-fields';
import type { LintContext } from './types';

/** The auditors' checklist (item ids unique) and the fields that name case library entries (lists of strings). */
export function lintAudit(ctx: LintContext): void {
  const { def, report } = ctx;
  const seen = new Set<string>();
  def.auditChecklist?.items.forEach((item, i) => {
    if (seen.has(item.id))
      report(
        'duplicate-checklist-item',
        `auditChecklist.items[${i}].id`,
        `checklist item "${item.id}" is listed twice — give each item an id of its own`,
        `检查项 "${item.id}" 出现了两次——请为每一项使用不同的 id`,
      );
    seen.add(item.id);
  });
  for (const [name, event] of Object.entries(def.events)) {
    const properties = (event.payload?.properties ?? {}) as Record<string, unknown>;
    for (const field of libraryFields(event.payload)) {
      if (!isLibraryList(properties[field]))
        report(
          'invalid-payload-schema',
          `events.${name}.payload.properties.${field}`,
          `a field marked "x-case-library" lists library entry ids — make it { "type": "array", "items": { "type": "string" } }`,
          `标记 "x-case-library" 的字段列出案例库条目 id——请写成 { "type": "array", "items": { "type": "string" } }`,
        );
    }
  }
}
