// Types the node store shares with the hierarchy submit, apart from the store so the two modules do not
// import each other.
import type { Collection, ObjectId } from 'mongodb';
import type { ParentInfo } from './changes';
import type { NodeDocument } from './document';
import type { OutboxEntry } from './pending-events';
import type { Actor, WriteOptions } from './types';
import type { CheckedInput } from './validate';

export type { ParentInfo } from './changes';

/** One node write: the document as it will be stored and its outbox entry. */
export interface PlannedWrite {
  doc: NodeDocument;
  entry: OutboxEntry;
}

/** Internals shared with the hierarchy submit. */
export interface StoreInternals {
  nodes: Collection<NodeDocument>;
  newDocument(
    actor: Actor,
    input: CheckedInput,
    parent: ParentInfo | null,
    id: ObjectId,
    now: Date,
  ): NodeDocument;
  entry(
    doc: NodeDocument,
    prev: NodeDocument | null,
    isHierarchy: boolean,
    noevent: boolean,
    now: Date,
  ): OutboxEntry;
  /** Claims, writes and delivers one update of an existing node, re-reading on a lost claim. */
  updateWith(
    actor: Actor | null,
    id: ObjectId,
    opts: WriteOptions & { isHierarchy?: boolean },
    decide: (cur: NodeDocument) => NodeDocument | null,
  ): Promise<NodeDocument>;
  /** Inserts new nodes (claims first, then the documents, in order) and delivers their changes. */
  insertAll(writes: PlannedWrite[]): Promise<void>;
}
