// Event shapes: the CloudEvents 1.0 envelope clients receive, the history document, and the in-memory
// form the poller fans out.
import type { ObjectId } from 'mongodb';
import type { NodeResult, NodeState } from '../db/nodes/types';

export const NODE_CHANNEL = 'node';
export const KERNELCI_EVENT_TYPE = 'api.kernelci.org';

/** The envelope, exactly as serialised into `data` of a listen message and into SSE `data:` lines. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  owner?: string;
  data: unknown;
  /** Extension attributes given by a publisher (`attributes`). */
  [extension: string]: unknown;
}

/** `data` of a node event on channel `node` (SPEC §3; these keys exactly). */
export interface NodeEventData {
  op: 'created' | 'updated';
  id: string;
  kind: string;
  name: string;
  path: string[];
  group: string | null;
  state: NodeState;
  result: NodeResult | null;
  owner: string;
  data: Record<string, unknown>;
  is_hierarchy: boolean;
  previous_state?: NodeState;
  previous_result?: NodeResult | null;
}

/** CloudEvent attributes other than `data`/`owner`/`specversion`, kept with the stored event. */
export interface StoredAttributes {
  id: string;
  source: string;
  type: string;
  time: string;
  extensions?: Record<string, unknown>;
}

/**
 * One event in the history collection. `sequence_id` and `dedupe_key` are unique: the first makes the
 * order total across replicas, the second makes node-event re-delivery idempotent. A `void` document
 * fills a sequence number that will never carry an event (see ./sequencer.ts).
 */
export interface EventDocument {
  _id: ObjectId;
  sequence_id: number;
  channel: string;
  timestamp: Date;
  owner: string | null;
  data: unknown;
  ce: StoredAttributes | null;
  dedupe_key: string;
  void?: true;
}

/** An event as the poller holds it in memory. */
export interface BusEvent {
  seq: number;
  historyId: string;
  channel: string;
  owner: string | null;
  timestamp: Date;
  data: unknown;
  ce: StoredAttributes | null;
  void: boolean;
}

/** What a publisher hands to the sequencer (no sequence number yet). */
export interface EventDraft {
  channel: string;
  owner: string | null;
  data: unknown;
  ce: StoredAttributes;
  dedupe_key: string;
}
