import { DEFINITION_LIMITS } from '../definition-limits';
import type { PatternVerdict } from '../pattern-safety';
import { closestName } from '../suggest';

/** The zh-CN "did you mean" hint beside `didYouMean`'s English one: the closest candidate, or what exists. */
export function didYouMeanZh(name: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  const best = closestName(name, list);
  if (best !== undefined) return `——是否想写 "${best}"？`;
  return list.length ? `（已有：${list.slice(0, 20).join('、')}）` : '（尚未声明任何一个）';
}

/** `patternMessage` in Chinese. */
export function patternMessageZh(pattern: string, verdict: PatternVerdict): string {
  const shown = JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern);
  switch (verdict.kind) {
    case 'invalid':
      return `${shown} 不是有效的正则表达式（${verdict.reason}）——请修正；数据按 unicode 模式用它检查`;
    case 'too-long':
      return `正则表达式超过 ${DEFINITION_LIMITS.patternLength} 个字符——请缩短，或在 "enum" 下列出允许的值`;
    case 'unsupported':
      return `${shown} 使用了回溯检查无法读取的语法（${verdict.reason}）——请不用它改写（例如用普通分组 (…) 代替命名分组 (?<name>…)）`;
    case 'unsafe':
      return verdict.reason === 'backtracking'
        ? `${shown} 存在灾难性回溯风险：某些文本可以有非常多种匹配方式，检查一条可能耗时数秒——请改写，使每个字符只有一种匹配方式（不要嵌套重复如 (a+)+，不要重叠的分支如 (a|ab)*，不要相邻且匹配相同字符的重复如 [a-z]*[a-z]*）`
        : `${shown} 太复杂，无法证明不会灾难性回溯——请简化（更短、更少的重复和分支），用 ^…$ 锚定，或在 "enum" 下列出允许的值`;
  }
}
