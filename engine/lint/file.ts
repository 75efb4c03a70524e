import { DEFINITION_LIMITS, measureJson } from '../definition-limits';
import type { LintProblem } from './types';

const formatBytes = (n: number) => `${n.toLocaleString('en')} bytes`;

/** One problem with the whole file that stops the linter. */
function fatal(code: LintProblem['code'], message: string, messageZh: string): { problems: LintProblem[]; fatal: boolean } {
  return { fatal: true, problems: [{ code, path: '(file)', message, messageZh }] };
}

/** Problems with the file as JSON, before it is read as a definition: its size, its nesting, `__proto__` keys. */
export function fileProblems(raw: unknown): { problems: LintProblem[]; fatal: boolean } {
  const measure = measureJson(raw);
  const { bytes, depth } = DEFINITION_LIMITS;
  if (measure.depth > depth)
    return fatal(
      'too-large',
      `the file is nested more than ${depth} levels deep — a definition may nest at most ${depth} levels (objects and lists); flatten the deepest part`,
      `文件嵌套超过 ${depth} 层——定义最多可嵌套 ${depth} 层（对象和列表）；请展平最深的部分`,
    );
  if (measure.bytes === undefined)
    return fatal('schema', 'not JSON — write the definition as a JSON object', '不是 JSON——请把定义写成一个 JSON 对象');
  if (measure.bytes > bytes)
    return fatal(
      'too-large',
      `the file has ${formatBytes(measure.bytes)}; a definition may have at most ${formatBytes(bytes)} — remove what no state uses, or split the process into sub-processes`,
      `文件有 ${formatBytes(measure.bytes)}；定义最多 ${formatBytes(bytes)}——请删除没有状态使用的内容，或把流程拆分为子流程`,
    );
  return {
    fatal: false,
    problems: measure.protoKeys.map((path) => ({
      code: 'reserved-name' as const,
      path,
      message: `"__proto__" cannot be a name here: JavaScript objects do not keep it as data — rename it`,
      messageZh: `"__proto__" 不能在这里用作名称：JavaScript 对象不会把它当作数据保存——请改名`,
    })),
  };
}
