// Fabricated node changes, to publish many events quickly through the bus's write path.
import { ObjectId } from 'mongodb';
import type { NodeChange } from '../../src/db/nodes/types';
import type { EventBus } from '../../src/events/bus';

export function nodeChange(owner: string, index: number, tag: string): NodeChange {
  const now = new Date().toISOString();
  return {
    op: 'created',
    revision: 1,
    is_hierarchy: false,
    node: {
      id: new ObjectId().toHexString(),
      kind: 'test',
      name: `${tag}-${index}`,
      path: ['checkout', 'kbuild', `${tag}-${index}`],
      group: tag,
      parent: null,
      state: 'running',
      result: null,
      artifacts: {},
      data: { index, tag },
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
    },
  };
}

/** Publishes `count` node events tagged `tag` (data.index 0..count-1) in batches. */
export async function publishNodeEvents(bus: EventBus, owner: string, tag: string, count: number, batch = 250): Promise<void> {
  for (let i = 0; i < count; i += batch) {
    const changes = [];
    for (let j = i; j < Math.min(count, i + batch); j++) changes.push(nodeChange(owner, j, tag));
    await bus.nodeChanged(changes);
  }
}
