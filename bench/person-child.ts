/**
 * One bench person in a process of its own (bench/pair.ts `apart`): a ParleyNode built from the
 * NodeOptions JSON in argv[2], driven over the IPC channel. Messages to the parent:
 *   {t:'up', id}                   started
 *   {t:'message'} / {t:'file', id, state}   what the node emitted (no content)
 *   {t:'cpu', user, system}        answer to {t:'cpu'}: this process's CPU time, µs
 * From the parent: {t:'add', id, sets}, {t:'send', to, text}, {t:'cpu'}, {t:'stop'}.
 * Mode `sink` instead (argv[2] = 'sink', argv[3] = bytes): a plain TCP server on 127.0.0.1 that
 * says {t:'port', port}, then {t:'got'} once it read that many bytes (the raw TCP baseline's reader).
 */
import { createServer } from 'node:net';
import { ParleyNode, type NodeOptions } from '../src/node/index.js';
import type { FileView } from '../src/node/files-view.js';

type FromParent = { t: 'add'; id: string; sets: 'direct' | 'relayed' } | { t: 'send'; to: string; text: string } | { t: 'cpu' } | { t: 'stop' };
const tell = (m: unknown) => process.send!(m);

if (process.argv[2] === 'sink') {
  const bytes = Number(process.argv[3]);
  let got = 0;
  const server = createServer((s) =>
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= bytes) tell({ t: 'got' });
    }),
  );
  server.listen(0, '127.0.0.1', () => tell({ t: 'port', port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
} else {
  const node = new ParleyNode(JSON.parse(process.argv[2]!) as NodeOptions);
  await node.start();
  node.on('message', () => tell({ t: 'message' }));
  node.on('file', (v: FileView) => tell({ t: 'file', id: v.id, state: v.state }));
  process.on('message', (m: FromParent) => {
    if (m.t === 'add') {
      node.addContact(m.id);
      node.setVisibility(m.id, m.sets);
    } else if (m.t === 'send') node.send(m.to, m.text);
    else if (m.t === 'cpu') tell({ t: 'cpu', ...process.cpuUsage() });
    else void node.stop().then(() => process.exit(0));
  });
  process.on('disconnect', () => void node.stop().then(() => process.exit(0)));
  tell({ t: 'up', id: node.id });
}
