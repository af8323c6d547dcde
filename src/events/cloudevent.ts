// Building envelopes and message payloads from stored events.
import { randomUUID } from 'node:crypto';
import type { NodeChange } from '../db/nodes/types';
import {
  KERNELCI_EVENT_TYPE,
  NODE_CHANNEL,
  type BusEvent,
  type CloudEvent,
  type EventDraft,
  type NodeEventData,
  type StoredAttributes,
} from './types';

/** The exact `data` of a node event (SPEC §3). */
export function nodeEventData(change: NodeChange): NodeEventData {
  const n = change.node;
  const data: NodeEventData = {
    op: change.op,
    id: n.id,
    kind: n.kind,
    name: n.name,
    path: n.path,
    group: n.group,
    state: n.state,
    result: n.result,
    owner: n.owner,
    data: n.data,
    is_hierarchy: change.is_hierarchy,
  };
  if (change.op === 'updated') {
    data.previous_state = change.previous_state;
    data.previous_result = change.previous_result ?? null;
  }
  return data;
}

export function attributes(
  source: string,
  type = KERNELCI_EVENT_TYPE,
  extensions?: Record<string, unknown>,
): StoredAttributes {
  const attrs: StoredAttributes = { id: randomUUID(), source, type, time: new Date().toISOString() };
  if (extensions && Object.keys(extensions).length) attrs.extensions = extensions;
  return attrs;
}

export function nodeEventDraft(change: NodeChange, source: string): EventDraft {
  return {
    channel: NODE_CHANNEL,
    owner: change.node.owner,
    data: nodeEventData(change),
    ce: attributes(source),
    // (node id, revision) identifies the change: re-delivery collides on the unique index.
    dedupe_key: `node:${change.node.id}:${change.revision}`,
  };
}

/** The CloudEvents 1.0 envelope of a stored event. */
export function toCloudEvent(ev: Pick<BusEvent, 'ce' | 'owner' | 'data' | 'timestamp'>): CloudEvent {
  const ce = ev.ce!;
  const envelope: CloudEvent = {
    ...(ce.extensions ?? {}),
    specversion: '1.0',
    id: ce.id,
    source: ce.source,
    type: ce.type,
    time: ce.time,
    data: ev.data,
  };
  if (ev.owner) envelope.owner = ev.owner;
  return envelope;
}

/** Serialised once per event and shared by every subscriber that receives it. */
const jsonCache = new WeakMap<object, string>();
export function cloudEventJson(ev: BusEvent): string {
  let json = jsonCache.get(ev);
  if (json === undefined) {
    json = JSON.stringify(toCloudEvent(ev));
    jsonCache.set(ev, json);
  }
  return json;
}
