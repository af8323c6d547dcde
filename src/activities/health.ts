import type { Storage } from '../db/storage';

export interface HealthProbeResult {
  probeId: string;
  storedAt: string;
}

/** Writes a probe and reads it back: proves worker ↔ database plumbing end to end. */
export function createHealthActivities(storage: Storage) {
  return {
    recordHealthProbe: (probeId: string): Promise<HealthProbeResult> => storage.healthProbe(probeId),
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
