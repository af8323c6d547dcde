// The API process's webhook target: the pipeline configuration (which trees and branches exist) and a
// Temporal client that starts revisions exactly as the trigger does.
import { loadConfig } from '../config/load';
import type { Settings } from '../settings';
import { connectClient } from '../temporal/connection';
import { startRevision } from '../workflows/pipeline/client';
import { createWebhookTarget, type WebhookTarget } from './target';

export async function connectWebhookTarget(
  settings: Settings,
): Promise<{ target: WebhookTarget; close: () => Promise<void> } | undefined> {
  if (!settings.webhookSecret) return undefined;
  if (!settings.temporalAddress)
    throw new Error('MAESTRO_WEBHOOK_SECRET is set: TEMPORAL_ADDRESS must be set too');
  const { config } = loadConfig(settings.pipelineConfig);
  const client = await connectClient(settings.temporalAddress, settings.temporalNamespace);
  return {
    target: createWebhookTarget({
      secret: settings.webhookSecret,
      config: () => config,
      start: (rev) => startRevision(client, rev),
    }),
    close: () => client.connection.close(),
  };
}
