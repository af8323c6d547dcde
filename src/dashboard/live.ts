// Live updates from the API's Server-Sent Events stream of the `node` channel. Node events carry no
// tree id, so a page collects the ids it hears about and looks them up in batches, filtered on its own
// tree: one indexed `id__in` query per batch, whatever the rest of the system is doing.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Node, type NodeEventData } from './api';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/** Follows the node channel while mounted; `onOpen` runs on every (re)connection, to catch up. */
export function useNodeStream(onEvent: (ev: NodeEventData) => void, onOpen: () => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlers = useRef({ onEvent, onOpen });
  handlers.current = { onEvent, onOpen };
  useEffect(() => {
    const source = new EventSource(api.streamUrl());
    source.onopen = () => {
      setStatus('live');
      handlers.current.onOpen();
    };
    // The browser reconnects by itself and sends Last-Event-ID, so the stream resumes where it was.
    source.onerror = () => setStatus('reconnecting');
    source.onmessage = (e: MessageEvent<string>) => {
      try {
        const ce = JSON.parse(e.data) as { data?: NodeEventData };
        if (ce.data && typeof ce.data.id === 'string') handlers.current.onEvent(ce.data);
      } catch {
        // not a node event
      }
    };
    return () => source.close();
  }, []);
  return status;
}

const BATCH_MS = 300;
const MAX_IDS = 200;

/**
 * Collects node ids and fetches them every BATCH_MS, keeping only those of `treeid`; `deliver` gets the
 * current nodes (so any number of events for one node cost one look-up).
 */
export function nodeBatcher(treeid: string, deliver: (nodes: Node[]) => void) {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const flush = async () => {
    timer = null;
    const ids = [...pending].slice(0, MAX_IDS);
    ids.forEach((id) => pending.delete(id));
    if (pending.size) schedule();
    if (!ids.length || stopped) return;
    try {
      const nodes = await api.nodesFast({ id__in: ids.join(','), treeid }, { limit: ids.length });
      if (!stopped && nodes.length) deliver(nodes);
    } catch {
      // a failed look-up is retried with the next batch
      ids.forEach((id) => pending.add(id));
      schedule();
    }
  };
  const schedule = () => {
    if (!timer && !stopped) timer = setTimeout(() => void flush(), BATCH_MS);
  };
  return {
    add(id: string) {
      pending.add(id);
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
