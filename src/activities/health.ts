import type { Db } from 'mongodb';

export interface HealthProbeResult {
  probeId: string;
  storedAt: string;
}

/** Writes a probe document and reads it back: proves worker ↔ database plumbing end to end. */
export function createHealthActivities(db: Db) {
  return {
    async recordHealthProbe(probeId: string): Promise<HealthProbeResult> {
      const probes = db.collection<{ _id: string; at: Date }>('health_probes');
      await probes.updateOne({ _id: probeId }, { $set: { at: new Date() } }, { upsert: true });
      const doc = await probes.findOne({ _id: probeId });
      if (!doc) throw new Error(`health probe ${probeId} not found after write`);
      return { probeId: doc._id, storedAt: doc.at.toISOString() };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
