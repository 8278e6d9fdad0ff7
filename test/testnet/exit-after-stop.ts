// Run as a child process by testnet.test.ts: starts and stops a testnet, then must exit on its own
// (an open socket or timer left behind would keep it alive).
import { startTestnet } from '../../src/testnet/index.js';

const net = await startTestnet({ dhtNodes: 8 });
await net.stop();
process.stdout.write('stopped\n');
