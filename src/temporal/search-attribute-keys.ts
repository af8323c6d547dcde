// Typed keys for the pipeline's search attributes; safe in workflow code.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, type SearchAttributeKey } from './search-attributes';

export const SEARCH_ATTRIBUTE_KEYS = Object.fromEntries(
  Object.entries(SEARCH_ATTRIBUTES).map(([k, name]) => [
    k,
    defineSearchAttributeKey(name, SearchAttributeType.KEYWORD),
  ]),
) as Record<SearchAttributeKey, ReturnType<typeof defineSearchAttributeKey<'KEYWORD'>>>;

export type PipelineSearchValues = Partial<Record<SearchAttributeKey, string>>;

/** Search attribute pairs for the given values (empty values are left out). */
export function searchAttributePairs(values: PipelineSearchValues): SearchAttributePair[] {
  return (Object.entries(values) as [SearchAttributeKey, string | undefined][])
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ({ key: SEARCH_ATTRIBUTE_KEYS[k], value: v as string }));
}
