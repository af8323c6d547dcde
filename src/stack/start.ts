// `npm start`: the whole system on embedded defaults.
import { componentLogger } from '../logger';
import { loadSettings, SettingsError } from '../settings';
import { EmbeddedStack } from './embedded-stack';

const log = componentLogger('stack');

async function main(): Promise<void> {
  let settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) log.fatal(err.message);
    process.exit(2);
  }
  const stack = new EmbeddedStack(settings);
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('stopping');
    await stack.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const urls = await stack.start();
    const ui = urls.temporalUi ? `  Temporal UI ${urls.temporalUi}` : '';
    const dashboard = urls.api.replace(/latest\/$/, 'dashboard/');
    log.info(
      { api: urls.api, docs: urls.docs, dashboard, temporalUi: urls.temporalUi },
      `Maestro ready — API ${urls.api}  API docs ${urls.docs}  Dashboard ${dashboard}${ui}`,
    );
  } catch (err) {
    log.fatal({ err }, `cannot start: ${(err as Error).message}`);
    await shutdown(1);
    return;
  }
  const reason = await stack.firstUnexpectedExit();
  if (!shuttingDown) {
    log.error(`${reason}; stopping the stack`);
    await shutdown(1);
  }
}

void main();
