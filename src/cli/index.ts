#!/usr/bin/env node
// kci entry point: run the command, print failures on stderr with a non-zero exit code.
import { CommanderError } from 'commander';
import { describeError, EXIT } from './errors';
import { buildProgram } from './program';

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed the message (or the help/version).
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    const { message, exitCode } = describeError(err);
    process.stderr.write(`kci: error: ${message}\n`);
    process.exitCode = exitCode;
  }
}

void main();
