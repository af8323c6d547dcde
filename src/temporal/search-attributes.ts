// Custom search attributes operators filter on in the Temporal UI (`KernelTree = "mainline"`).
// All Keyword: the SQLite dev store allows at most 10 custom Keyword attributes.
// Pure constants, safe to import from workflow code.

export const SEARCH_ATTRIBUTES = {
  tree: 'KernelTree',
  branch: 'KernelBranch',
  commit: 'KernelCommit',
  nodeId: 'NodeId',
  nodeKind: 'NodeKind',
  job: 'JobName',
  runtime: 'Runtime',
  platform: 'Platform',
} as const;

export type SearchAttributeKey = keyof typeof SEARCH_ATTRIBUTES;

export const SEARCH_ATTRIBUTE_NAMES: string[] = Object.values(SEARCH_ATTRIBUTES);
