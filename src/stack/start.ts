// `npm start`: the whole system on embedded defaults.
import { loadSettings, SettingsError } from '../settings';
import { EmbeddedStack } from './embedded-stack';

async function main(): Promise<void> {
  let settings;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) console.error(err.message);
    process.exit(2);
  }
  const stack = new EmbeddedStack(settings);
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.error('stopping…');
    await stack.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const urls = await stack.start();
    const ui = urls.temporalUi ? `  Temporal UI ${urls.temporalUi}` : '';
    const dashboard = `  Dashboard ${urls.api.replace(/latest\/$/, 'dashboard/')}`;
    console.log(`Maestro ready — API ${urls.api}  API docs ${urls.docs}${dashboard}${ui}`);
  } catch (err) {
    console.error(`cannot start: ${(err as Error).message}`);
    await shutdown(1);
    return;
  }
  const reason = await stack.firstUnexpectedExit();
  if (!shuttingDown) {
    console.error(`${reason}; stopping the stack`);
    await shutdown(1);
  }
}

void main();
