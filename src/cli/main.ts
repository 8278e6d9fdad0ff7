import { runProgram } from './program.js';
import { registerFor } from './commands/index.js';

await runProgram((program) => registerFor(program, process.argv.slice(2)));
