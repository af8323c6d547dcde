// The one logger outside workflow and activity code: pino, JSON lines on stdout. Workflows and activities
// use Temporal's `log` instead, which carries the workflow and activity context.
import pino, { type Logger } from 'pino';

export const logger: Logger = pino({
  level: process.env.MAESTRO_LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
});

/** A child logger naming the component (`api`, `events`, `pipeline-worker`, …). */
export function componentLogger(component: string, fields: Record<string, unknown> = {}): Logger {
  return logger.child({ component, ...fields });
}

export type { Logger };
