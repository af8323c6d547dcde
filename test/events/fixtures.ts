// Fabricated node changes, to publish many events quickly through the bus's write path.
import { ObjectId } from 'mongodb';
import type { Node, NodeChange } from '../../src/db/nodes/types';
import type { EventBus } from '../../src/events/bus';

/** A node in the API shape with a fresh id, as the write path would hand it to the sink. */
export function fakeNode(owner: string, over: Partial<Node> = {}): Node {
  const now = new Date().toISOString();
  return {
    id: new ObjectId().toHexString(),
    kind: 'job',
    name: 'baseline-x86',
    path: ['checkout', 'kbuild-gcc-12-x86', 'baseline-x86'],
    group: 'baseline-x86',
    parent: null,
    state: 'running',
    result: null,
    artifacts: {},
    data: { arch: 'x86_64' },
    debug: null,
    jobfilter: null,
    platform_filter: null,
    created: now,
    updated: now,
    timeout: now,
    holdoff: null,
    owner,
    submitter: null,
    treeid: null,
    user_groups: [],
    retry_counter: 0,
    processed_by_kcidb_bridge: false,
    ...over,
  };
}

export function nodeChange(owner: string, index: number, tag: string): NodeChange {
  const name = `${tag}-${index}`;
  return {
    op: 'created',
    revision: 1,
    is_hierarchy: false,
    node: fakeNode(owner, {
      kind: 'test',
      name,
      path: ['checkout', 'kbuild', name],
      group: tag,
      data: { index, tag },
    }),
  };
}

/** Publishes `count` node events tagged `tag` (data.index 0..count-1) in batches. */
export async function publishNodeEvents(
  bus: EventBus,
  owner: string,
  tag: string,
  count: number,
  batch = 250,
): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const changes = [];
    for (let j = i; j < Math.min(count, i + batch); j++) changes.push(nodeChange(owner, j, tag));
    await bus.nodeChanged(changes);
  }
}
