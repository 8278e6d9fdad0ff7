import { runProgram } from './program.js';
import { registerRun } from './commands/run.js';

/**
 * `parley run` alone, for the launcher's start-up path (bin/parley.js): one CommonJS bundle whose
 * compiled code V8 caches between starts. The same program as main.ts gives for `parley run …`:
 * registerFor registers this one command for it too.
 */
export const runCommand = (onReady: () => void): Promise<void> => runProgram((program) => registerRun(program, onReady));
