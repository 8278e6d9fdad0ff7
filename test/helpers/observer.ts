import bencode from 'bencode';
import { dhtForTest, INTRO_SALT, lookupIntro, targetOf, type SeenDatagram } from '../../src/dht/index.js';
import { parseId, publicKeyOf } from '../../src/identity/index.js';
import { blobIdFor, mailboxIdFor, type RelayFrameSeen, type RelayServer } from '../../src/relay/index.js';
import { decodeRelayRef } from '../../src/routing/relay-ref.js';
import type { Testnet } from '../../src/testnet/index.js';

/**
 * The observer harness (issue 13 §1): what every DHT node and every relay of a testnet saw, from
 * the outside, and the threat-model rows asked of it. DHT nodes (the testnet's, the relays' and the
 * people's own) report each datagram they receive with its source address (src/dht/observe.ts);
 * relays report every frame with the address of the connection it came on (RelayServer.forTest).
 *
 * A person as the observers would like to know them: their address and the IDs linked to them.
 */
export interface Watched {
  name: string;
  host: string;
  id: string;
}

/** What names an ID to a DHT node or a relay: its key in every spelling, its intro record's target, mailbox and blob. */
export interface Linked {
  id: string;
  needles: Buffer[];
  targets: Buffer[];
  /** Relay-side ids the intro record ties to the ID (its intro mailbox and prekey blob). */
  relayIds: Set<string>;
}

/** One decoded KRPC message (bencode), with the fields a storing node reads. */
interface Krpc {
  y: string;
  q: string;
  target: Buffer | null;
  k: Buffer | null;
}

export class Observer {
  readonly datagrams: SeenDatagram[] = [];
  readonly relays: Array<{ host: string; frames: RelayFrameSeen[] }>;
  readonly #stop: () => void;

  constructor(net: Testnet, more: RelayServer[] = []) {
    this.#stop = dhtForTest.observeDatagrams((d) => this.datagrams.push(d));
    this.relays = [...net.relayServers, ...more].map((r) => ({ host: r.address().host, frames: r.forTest().observeFrames() }));
  }

  stop(): void {
    this.#stop();
  }

  /** Watches a relay that came up after the observer started (from then on). */
  watch(server: RelayServer): void {
    this.relays.push({ host: server.address().host, frames: server.forTest().observeFrames() });
  }

  /** Everything that ties `id` to a person, from their published intro record (looked up by the test, not by them). */
  async linked(net: Testnet, id: string): Promise<Linked> {
    const key = publicKeyOf(parseId(id));
    const intro = await lookupIntro(net.nodes[0]!, parseId(id), Math.floor(Date.now() / 1000));
    const ref = intro.relay ? decodeRelayRef(intro.relay) : null;
    return {
      id,
      needles: [key, Buffer.from(key.toString('base64')), Buffer.from(id)],
      targets: [targetOf(key, Buffer.from(INTRO_SALT))],
      relayIds: new Set(ref ? [ref.m, ref.b] : []),
    };
  }

  /**
   * The DHT rows: what a DHT node learns from this person's own DHT traffic (queries their address
   * sent, answers their address got) that names any of `ids`. Their node serving others (storing a
   * record that happens to lie near it) is the DHT working, not them asking: not counted.
   */
  dhtLeaks(person: Watched, ids: Linked[]): string[] {
    const out: string[] = [];
    for (const d of this.datagrams) {
      const m = decodeKrpc(d.bytes);
      if (!m) continue;
      const asked = m.y === 'q' && d.from.host === person.host;
      const answered = m.y === 'r' && d.at.host === person.host;
      if (!asked && !answered) continue;
      for (const l of ids) {
        const names =
          (m.target && l.targets.some((t) => t.equals(m.target!))) || (m.k && m.k.equals(l.needles[0]!)) || l.needles.some((n) => d.bytes.includes(n));
        if (names)
          out.push(
            `${asked ? `a ${m.q} query from` : 'an answer to'} ${person.name}'s address named ${l.id === person.id ? 'their own ID' : `the ID ${l.id.slice(0, 8)}…`}`,
          );
      }
    }
    return [...new Set(out)];
  }

  /** The relay rows: every frame a relay got on a connection from this person's address that names any of `ids`. */
  relayLeaks(person: Watched, ids: Linked[]): string[] {
    const out: string[] = [];
    for (const r of this.relays) {
      for (const s of r.frames) {
        if (s.dir !== 'in' || s.source !== person.host) continue;
        const named = relayIdsOf(s.frame);
        const text = JSON.stringify(s.frame, (_k, v: unknown) => (isJsonBuffer(v) ? Buffer.from(v.data).toString('base64') : v));
        for (const l of ids) {
          if (named.some((x) => l.relayIds.has(x)) || l.needles.slice(1).some((n) => text.includes(n.toString()))) {
            out.push(`relay ${r.host} saw ${person.name}'s address with ${l.id === person.id ? 'their own ID' : `the ID ${l.id.slice(0, 8)}…`} (${s.frame.t})`);
          }
        }
      }
    }
    return [...new Set(out)];
  }

  /** Relays that had connections straight from each of these addresses (a relay seeing both ends). */
  relaysSeeing(...hosts: string[]): string[] {
    return this.relays.filter((r) => hosts.every((h) => r.frames.some((s) => s.source === h))).map((r) => r.host);
  }

  /** The distinct sizes of the mailbox payloads (what a relay stores and forwards) relays saw. */
  mailSizes(): number[] {
    const sizes = new Set<number>();
    for (const r of this.relays) {
      for (const s of r.frames) {
        const f = s.frame as { t: string; bytes?: Buffer | string };
        if (f.t !== 'send' && f.t !== 'mail') continue;
        sizes.add(typeof f.bytes === 'string' ? Buffer.from(f.bytes, 'base64').length : (f.bytes?.length ?? 0));
      }
    }
    return [...sizes].sort((a, b) => a - b);
  }
}

function decodeKrpc(bytes: Buffer): Krpc | null {
  try {
    const m = bencode.decode(bytes) as { y?: Uint8Array; q?: Uint8Array; a?: Record<string, unknown> };
    const a = m.a ?? {};
    const buf = (x: unknown) => (x instanceof Uint8Array ? Buffer.from(x) : null);
    return {
      y: m.y ? Buffer.from(m.y).toString() : '',
      q: m.q ? Buffer.from(m.q).toString() : '',
      target: buf(a.target) ?? buf(a.info_hash) ?? (buf(a.k) ? targetOf(buf(a.k)!, buf(a.salt) ?? Buffer.alloc(0)) : null),
      k: buf(a.k),
    };
  } catch {
    return null;
  }
}

/** The mailbox and blob ids a client frame names (a register or blob-put names them by their secret). */
function relayIdsOf(frame: RelayFrameSeen['frame']): string[] {
  const f = frame as Record<string, unknown>;
  const ids: string[] = [];
  if (f.t === 'register' && Buffer.isBuffer(f.secret)) ids.push(mailboxIdFor(f.secret));
  if (f.t === 'blob-put' && Buffer.isBuffer(f.secret)) ids.push(blobIdFor(f.secret));
  for (const k of ['mailbox', 'blob']) if (typeof f[k] === 'string') ids.push(f[k]);
  return ids;
}

function isJsonBuffer(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}
