// KernelCI `kci` attribute syntax → the API's query filters.
//   kind=test  data.arch=x86_64  created>=2026-01-01  result!=pass  name=~^baseline  parent=null
// becomes  { kind: 'test', 'data.arch': 'x86_64', created__gte: '2026-01-01', result__ne: 'pass', … }.
// `key__op=value` written directly (e.g. `kind__in=kbuild,job`) is passed through.
import type { Filters } from '../client/types';
import { CliError, EXIT } from './errors';

/** Longest operators first so `>=` wins over `>`, `=~` over `=`. */
const OPERATORS: ReadonlyArray<[string, string | null]> = [
  ['>=', 'gte'],
  ['<=', 'lte'],
  ['!=', 'ne'],
  ['=~', 're'],
  ['>', 'gt'],
  ['<', 'lt'],
  ['=', null],
];

export const API_OPERATORS = ['lt', 'lte', 'gt', 'gte', 'ne', 're', 'in', 'nin'] as const;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$/;

export interface Attribute {
  key: string;
  /** API operator (`gt`, `re`, …) or null for an exact match. */
  op: string | null;
  value: string;
}

export function parseAttribute(text: string): Attribute {
  const at = text.search(/[=<>!]/);
  if (at <= 0)
    throw usage(
      `invalid attribute "${text}": expected key=value, key>value, key<value, key>=value, key<=value, key!=value or key=~regex`,
    );
  const rawKey = text.slice(0, at);
  const rest = text.slice(at);
  const match = OPERATORS.find(([symbol]) => rest.startsWith(symbol));
  if (!match) throw usage(`invalid operator in attribute "${text}"`);
  const [symbol, symbolOp] = match;
  const value = rest.slice(symbol.length);

  let key = rawKey;
  let op = symbolOp;
  const suffix = /^(.+)__([a-z]+)$/.exec(rawKey);
  if (suffix) {
    if (symbol !== '=')
      throw usage(`invalid attribute "${text}": use either key__op=value or an operator symbol, not both`);
    if (!(API_OPERATORS as readonly string[]).includes(suffix[2])) {
      throw usage(`unknown operator "__${suffix[2]}" in "${text}" (known: ${API_OPERATORS.join(', ')})`);
    }
    [key, op] = [suffix[1], suffix[2]];
  }
  if (!KEY.test(key)) throw usage(`invalid attribute name "${key}" in "${text}"`);
  if (value === '' && op !== null && op !== 'ne') throw usage(`attribute "${text}" has no value`);
  return { key, op, value };
}

/** Parses every attribute into one filter object; the same key and operator twice is an error. */
export function attributesToFilters(attributes: readonly string[]): Filters {
  const filters: Filters = {};
  for (const text of attributes) {
    const { key, op, value } = parseAttribute(text);
    const name = op ? `${key}__${op}` : key;
    if (name in filters) throw usage(`attribute "${name}" given more than once`);
    filters[name] = value;
  }
  return filters;
}

function usage(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
