// The delivery log on MongoDB (`result_deliveries`): see src/mail/deliveries.ts for
// the contract.
import type { Db } from 'mongodb';
import type { DeliveryLog } from '../../mail/deliveries';
import { isDuplicateKey } from '../../users/duplicate-key';

export const DELIVERIES_COLLECTION = 'result_deliveries';

interface Delivery {
  _id: string;
  state: 'sending' | 'sent';
  at: Date;
  detail?: Record<string, unknown>;
}

export class MongoDeliveryLog implements DeliveryLog {
  constructor(private readonly db: Db) {}

  private get docs() {
    return this.db.collection<Delivery>(DELIVERIES_COLLECTION);
  }

  async isSent(key: string): Promise<boolean> {
    const doc = await this.docs.findOne({ _id: key });
    return doc?.state === 'sent';
  }

  async markSending(key: string): Promise<void> {
    try {
      await this.docs.insertOne({ _id: key, state: 'sending', at: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  async markSent(key: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.docs.updateOne({ _id: key }, { $set: { state: 'sent', at: new Date(), detail } });
  }
}
