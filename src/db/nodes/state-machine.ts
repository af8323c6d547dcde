// Node state transitions (SPEC §2). Re-stating the same state is allowed: a late result may overwrite a
// timed-out `done/incomplete`.
import { invalid } from '../../errors';
import type { NodeState } from './types';

const NEXT: Record<NodeState, readonly NodeState[]> = {
  running: ['available', 'closing', 'done'],
  available: ['closing', 'done'],
  closing: ['done'],
  done: [],
};

export function isAllowedTransition(from: NodeState, to: NodeState): boolean {
  return from === to || NEXT[from].includes(to);
}

export function assertTransition(from: NodeState, to: NodeState): void {
  if (!isAllowedTransition(from, to)) {
    throw invalid(`state: transition from "${from}" to "${to}" is not allowed`);
  }
}
