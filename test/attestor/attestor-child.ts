// The attestor program in a child process, plus one test hook: on {snapshot: path} it writes a V8
// heap snapshot there (which collects garbage first) and answers {done: path}.
import { writeHeapSnapshot } from 'node:v8';
import { attestorMain } from '../../src/attestor/main.js';

await attestorMain(process.argv.slice(2));
process.on('message', (m: { snapshot?: string }) => {
  if (m.snapshot) process.send!({ done: writeHeapSnapshot(m.snapshot) });
});
