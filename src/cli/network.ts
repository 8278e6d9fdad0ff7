import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CliError } from './errors.js';

/** The public Mainline DHT routers, used only with `--network mainline`. */
export const MAINLINE_BOOTSTRAP = ['router.bittorrent.com:6881', 'router.utorrent.com:6881', 'dht.transmissionbt.com:6881'];

const RelayEntry = z.object({ host: z.string(), port: z.number().int(), publicKey: z.string() });
const AttestorEntry = z.object({ url: z.string(), signingKey: z.string(), oprfKey: z.string() });
const TestnetFile = z.object({
  bootstrap: z.array(z.string()).min(1),
  relays: z.array(RelayEntry).default([]),
  attestor: AttestorEntry.optional(),
  pid: z.number(),
});
export type RelayEntry = z.infer<typeof RelayEntry>;
export type TestnetInfo = z.infer<typeof TestnetFile>;

/** Where `parley testnet` tells other commands how to join it (override with PARLEY_TESTNET_FILE). */
export function testnetFile(): string {
  return process.env.PARLEY_TESTNET_FILE ?? join(homedir(), '.parley', 'testnet.json');
}

export function writeTestnetFile(info: TestnetInfo): void {
  const path = testnetFile();
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(info), { mode: 0o600 });
}

export function removeTestnetFile(): void {
  rmSync(testnetFile(), { force: true });
}

export function readTestnet(): TestnetInfo | null {
  const path = testnetFile();
  if (!existsSync(path)) return null;
  try {
    const info = TestnetFile.parse(JSON.parse(readFileSync(path, 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

/** Decides the bootstrap list: explicit flags first, then a running local testnet. */
export function resolveBootstrap(opts: { bootstrap?: string[]; network?: string }): string[] {
  if (opts.bootstrap?.length) {
    for (const b of opts.bootstrap) if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw CliError.BAD_BOOTSTRAP(b);
    return opts.bootstrap;
  }
  if (opts.network === 'mainline') return MAINLINE_BOOTSTRAP;
  const testnet = readTestnet();
  if (testnet) return testnet.bootstrap;
  throw CliError.NO_NETWORK();
}

/** Relays to use: `--relay host:port:key` flags first, then the running local testnet's. */
export function resolveRelays(opts: { relay?: string[]; bootstrap?: string[]; network?: string }): RelayEntry[] {
  if (opts.relay?.length) {
    return opts.relay
      .filter((r) => !isRelayKey(r))
      .map((r) => {
        const m = /^([0-9.]+):(\d{1,5}):([A-Za-z0-9+/]{43}=)$/.exec(r);
        if (!m) throw CliError.BAD_RELAY(r);
        return { host: m[1]!, port: Number(m[2]), publicKey: m[3]! };
      });
  }
  if (opts.bootstrap?.length || opts.network) return [];
  return readTestnet()?.relays ?? [];
}

/** A relay named by its public key alone (base64): its descriptor is looked up in the DHT. */
export function isRelayKey(entry: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(entry);
}
