// allow/deny rule lists: `[mainline, stable]` allows only those; `["!next"]` denies next; both may mix.
import { RULE_DIMENSIONS, type RuleDimension, type Rules } from './types';

export type RuleSubject = Partial<Record<RuleDimension, string>>;

function matches(dim: RuleDimension, pattern: string, value: string): boolean {
  // A version rule "6.1" covers 6.1, 6.1.5, 6.1-rc3; other dimensions match exactly.
  if (dim === 'version')
    return value === pattern || value.startsWith(`${pattern}.`) || value.startsWith(`${pattern}-`);
  return value === pattern;
}

/** null when the subject passes; otherwise the reason. Unknown subject values are not held against it. */
export function checkRules(rules: Rules, subject: RuleSubject): string | null {
  for (const dim of RULE_DIMENSIONS) {
    const list = rules[dim];
    const value = subject[dim];
    if (!list?.length || value === undefined) continue;
    const denies = list.filter((r) => r.startsWith('!')).map((r) => r.slice(1));
    const allows = list.filter((r) => !r.startsWith('!'));
    const denied = denies.find((d) => matches(dim, d, value));
    if (denied !== undefined) return `${dim} "${value}" is denied by "!${denied}"`;
    if (allows.length && !allows.some((a) => matches(dim, a, value))) {
      return `${dim} "${value}" is not in the allow list [${allows.join(', ')}]`;
    }
  }
  return null;
}
