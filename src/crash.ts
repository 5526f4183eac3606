// What the agent does about a bug it did not expect: an exception nobody caught, or a
// promise rejection nobody handled. Either leaves some part of it (a stream, a timer, a
// log write) in a state no code was written for, so it logs the error and exits non-zero:
// Docker's restart policy or the service manager starts a clean one, as Node itself
// does for both since version 15. Logs are flushed by the logger's synchronous sink.

import { describeError } from './errors.js';

/** EX_SOFTWARE (sysexits.h): an internal error. */
export const CRASH_EXIT_CODE = 70;

interface CrashLogger {
  error(message: string, fields?: Record<string, unknown>): void;
}

export function installCrashHandlers(
  target: { on(event: 'unhandledRejection' | 'uncaughtException', listener: (reason: unknown) => void): unknown },
  logger: CrashLogger,
  exit: (code: number) => void,
): void {
  target.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection (a bug; please report it); exiting', { error: describeError(reason) });
    exit(CRASH_EXIT_CODE);
  });
  target.on('uncaughtException', (error) => {
    logger.error('uncaught exception (a bug; please report it); exiting', { error: describeError(error) });
    exit(CRASH_EXIT_CODE);
  });
}
