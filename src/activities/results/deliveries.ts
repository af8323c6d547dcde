// "Reported once": each mail and each report is keyed (e.g. `tree-report:<checkout id>`) in the
// `result_deliveries` collection. A key marked `sent` is never sent again, whatever retries, restarts or
// replays happen; a key left `sending` by a crash is sent again (with the same Message-ID).
import type { Db } from 'mongodb';

export const DELIVERIES_COLLECTION = 'result_deliveries';

interface Delivery {
  _id: string;
  state: 'sending' | 'sent';
  at: Date;
  detail?: Record<string, unknown>;
}

const deliveries = (db: Db) => db.collection<Delivery>(DELIVERIES_COLLECTION);

export async function alreadyDelivered(db: Db, key: string): Promise<boolean> {
  const doc = await deliveries(db).findOne({ _id: key });
  return doc?.state === 'sent';
}

export async function markSending(db: Db, key: string): Promise<void> {
  try {
    await deliveries(db).insertOne({ _id: key, state: 'sending', at: new Date() });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

export async function markSent(db: Db, key: string, detail: Record<string, unknown> = {}): Promise<void> {
  await deliveries(db).updateOne({ _id: key }, { $set: { state: 'sent', at: new Date(), detail } });
}
