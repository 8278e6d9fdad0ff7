import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomBytes } from '../../src/identity/index.js';
import { RelayClient, RelayError } from '../../src/relay/index.js';

/** Where a relay listens and its key: what a client needs to reach it. */
export interface Target {
  host: string;
  port: number;
  publicKey: Buffer;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (err: unknown) => (RelayError.is(err) ? err.code : 'OTHER');

/** What an attack is doing; `stop()` ends it and closes everything it opened. */
export interface Attack {
  /** Resolves once the attack is in full swing (every socket opened once / the store refused it). */
  ready: Promise<void>;
  /** Refusals the attacker got, by code. */
  refused: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * `count` bare TCP sockets from `from` that never say a word (slow-loris on the Noise handshake);
 * each one the relay closes is reopened after `reconnectMs`, for as long as the attack runs.
 */
export function idleSockets(target: Target, from: string, count: number, reconnectMs = 200): Attack {
  let running = true;
  let settled = 0;
  const open = new Set<Socket>();
  let markReady = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  const refused: Record<string, number> = {};
  const one = (first: boolean) => {
    if (!running) return;
    const s = connect({ host: target.host, port: target.port, localAddress: from });
    open.add(s);
    let counted = !first;
    const settle = () => {
      if (counted) return;
      counted = true;
      if (++settled === count) markReady();
    };
    s.on('error', () => {});
    s.once('connect', settle);
    s.once('close', () => {
      settle();
      open.delete(s);
      refused.CLOSED_BY_RELAY = (refused.CLOSED_BY_RELAY ?? 0) + 1;
      setTimeout(() => one(false), reconnectMs).unref();
    });
  };
  for (let i = 0; i < count; i++) one(true);
  return {
    ready,
    refused,
    async stop() {
      running = false;
      for (const s of open) s.destroy();
    },
  };
}

/** Refusal codes that mean "no more room for you", as opposed to "slow down" or "this mailbox is full". */
const NO_ROOM = ['SOURCE_FULL', 'RELAY_FULL', 'TOO_MANY_MAILBOXES'];

/**
 * `connections` clients from `from` storing as fast as the relay lets them: mail into their own
 * mailboxes (46 KiB items, halving down to 1 byte when refused room, so no gap is left; a new
 * mailbox when one is full, a new connection when it has too many), throwaway mailboxes and tiny
 * blobs, backing off only as far as the rate limit asks. Ready once the relay has refused it room
 * for a 1-byte item, for a blob and for a mailbox.
 */
export function fillStorage(target: Target, from: string, connections = 16): Attack {
  let running = true;
  const refused: Record<string, number> = {};
  const noRoom = new Set<string>();
  const clients = new Set<RelayClient>();
  const item = randomBytes(46 * 1024);
  const refuse = (kind: string, err: unknown, size = 1) => {
    const code = codeOf(err);
    refused[`${kind}:${code}`] = (refused[`${kind}:${code}`] ?? 0) + 1;
    if (NO_ROOM.includes(code) && size === 1) noRoom.add(kind);
    return code;
  };
  const worker = async (w: number) => {
    let size = item.length;
    while (running) {
      let client: RelayClient;
      try {
        client = await new RelayClient({ ...target, localAddress: from }).connect();
      } catch (err) {
        refuse('connect', err);
        await pause(50);
        continue;
      }
      clients.add(client);
      try {
        let box = await client.registerMailbox(randomBytes(32));
        while (running && client.connected) {
          const kind = w % 4 === 3 ? (Math.random() < 0.5 ? 'blob' : 'mailbox') : 'mail';
          try {
            if (kind === 'mail') await client.send(box, item.subarray(0, size));
            else if (kind === 'blob') await client.putBlob(randomBytes(32), item.subarray(0, 1));
            else await client.registerMailbox(randomBytes(32));
          } catch (err) {
            const code = refuse(kind, err, kind === 'mail' ? size : 1);
            if (code === 'MAILBOX_FULL') box = await client.registerMailbox(randomBytes(32));
            else if (code === 'TOO_MANY_MAILBOXES' || code === 'CLOSED')
              break; // on to a new connection
            else if (code === 'RATE_LIMITED') await pause(50);
            else if (NO_ROOM.includes(code)) {
              size = size === 1 ? item.length : Math.ceil(size / 2); // fill the gaps, then try big again
              await pause(5);
            }
          }
        }
      } catch (err) {
        refuse('mailbox', err);
      }
      clients.delete(client);
      await client.close();
      await pause(20);
    }
  };
  const workers = Array.from({ length: connections }, (_, w) => worker(w));
  const ready = (async () => {
    while (running && !(noRoom.has('mail') && noRoom.has('blob') && noRoom.has('mailbox'))) await pause(20);
  })();
  return {
    ready,
    refused,
    async stop() {
      running = false;
      for (const c of clients) await c.close();
      await Promise.all(workers);
    },
  };
}

/**
 * One round of what a person's node does with its relay, from two fresh connections: Alice
 * registers a mailbox and uploads a bundle, Bob fetches the bundle and sends her a message, she
 * receives it live and acknowledges it. Resolves with the round's wall-clock time in ms.
 */
export async function victimRound(target: Target, alice: string, bob: string): Promise<number> {
  const t0 = performance.now();
  const a = await new RelayClient({ ...target, localAddress: alice }).connect();
  const b = await new RelayClient({ ...target, localAddress: bob }).connect().catch(async (err: unknown) => {
    await a.close();
    throw err;
  });
  try {
    const box = await a.registerMailbox(randomBytes(32));
    const bundle = randomBytes(4096);
    const blob = await a.putBlob(randomBytes(32), bundle);
    const got = await b.getBlob(blob);
    if (!got?.equals(bundle)) throw new Error('the bundle came back different');
    const text = randomBytes(300);
    const arrived = new Promise<{ itemId: number; bytes: Buffer }>((resolve) => a.on('mail', (m) => m.mailboxId === box && resolve(m)));
    await b.send(box, text);
    const mail = await arrived;
    if (!mail.bytes.equals(text)) throw new Error('the message came back different');
    await a.ack(box, [mail.itemId]);
    return performance.now() - t0;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** An attack run by `attacker-child.ts` in its own process. */
export interface ChildAttack {
  /** What it was refused when it got into full swing. */
  refused: Record<string, number>;
  /** Stops it; resolves with what it had been refused (as of its last report, at most 250 ms old). */
  stop(): Promise<Record<string, number>>;
}

/** Starts an attacker process from `from` (storage fillers, then idle sockets); resolves once it is in full swing. */
export async function attackInChild(
  target: Target,
  from: string,
  plan: { storage: number; idle: number; reconnectMs?: number },
  readyWithinMs = 45_000,
): Promise<ChildAttack> {
  const arg = JSON.stringify({ target: { ...target, publicKey: target.publicKey.toString('base64') }, from, reconnectMs: 1000, ...plan });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./attacker-child.ts', import.meta.url)), arg], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  let refused: Record<string, number> = {};
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => {
      const report = JSON.parse(l) as { ready: boolean; refused: Record<string, number> };
      refused = report.refused;
      if (report.ready) resolve();
    });
    void exited.then(() => reject(new Error(`the attacker process ended (${child.exitCode ?? child.signalCode})`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), readyWithinMs);
  await ready
    .finally(() => clearTimeout(timer))
    .catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)} before the attack was in full swing; it was refused ${JSON.stringify(refused)}`);
    });
  return {
    refused,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      return refused;
    },
  };
}
