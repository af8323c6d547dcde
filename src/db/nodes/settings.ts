// The node write path's settings, from the process settings (src/settings.ts).
import type { Settings } from '../../settings';
import type { NodeStoreOptions } from './store';

export function nodeStoreOptions(
  settings: Pick<Settings, 'nodeTimeout' | 'checkoutTimeout'>,
): NodeStoreOptions {
  return { nodeTimeoutMs: settings.nodeTimeout, checkoutTimeoutMs: settings.checkoutTimeout };
}
