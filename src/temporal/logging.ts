// Temporal's own log lines go to the process's pino logger: the SDK's worker messages and `log` from
// workflow and activity code, which carries the workflow id, run id, activity and the fields the code
// adds (node id, job name). Installed once, by a worker process's entry point, before any connection.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { componentLogger } from '../logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

function temporalLevel(pinoLevel: string): LogLevel {
  const found = Object.entries(PINO_LEVEL).find(([, level]) => level === pinoLevel);
  return found ? (found[0] as LogLevel) : 'ERROR';
}

export function installTemporalLogger(component: string): void {
  const log = componentLogger(component);
  Runtime.install({
    logger: new DefaultLogger(temporalLevel(log.level), (entry) =>
      log[PINO_LEVEL[entry.level]]({ ...entry.meta }, entry.message),
    ),
  });
}
