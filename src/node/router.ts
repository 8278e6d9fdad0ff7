import type { Logger } from 'pino';
import type { E2E } from '../e2e/index.js';
import { RelayClient } from '../relay/index.js';
import { getContact, getKv, type Db } from '../store/index.js';
import { parseId, publicKeyOf, sealTo, type Identity } from '../identity/index.js';
import type { ContactReach } from './rendezvous.js';
import { FILE_CHUNK_VERSION, PROTOCOL_VERSION, peerCodec, type FileChunkFrame, type PeerFrameOut } from '../wire/peer-frames.js';
import { toB64 } from '../wire/bytes.js';
import { planRoute, senderPath, senderReceipt, type Visibility } from '../routing/policy.js';
import { withCircumstances } from '../routing/receipt.js';
import { contentCodec, type CandidatesContent, type Content, type SenderPath } from '../wire/content.js';
import { decodeRelayRef, type RelayRef } from '../routing/relay-ref.js';
import type { LookupReceipt, RouteReceipt } from '../routing/receipt.js';
import type { BundleRequests } from './bundle-requests.js';
import type { MyRelay, RelayAddress } from './my-relay.js';
import type { PeerConn, Peers } from './peers.js';
import type { Puncher } from './punch.js';
import { directNotPossible } from './punch-reason.js';
import { NodeError } from './errors.js';

export interface RouterComponents {
  db: Db;
  e2e: E2E;
  peers: Peers;
  bundles: BundleRequests;
  identity: Identity;
  logger: Logger;
  myRelay: MyRelay | null;
  localAddress: string;
  lookup: (id: string) => Promise<ContactReach>;
  /**
   * A relay other than mine, to go around my relay when a contact's mailbox lives on it: my relay
   * then gets their mail from that relay's address, never from mine (issue 13 §4). None: straight.
   */
  detour?: () => RelayAddress | null;
  /** Hole punching, for a `direct` contact whose TCP endpoint cannot be dialled (behind a NAT). */
  punch?: () => Puncher | null;
}

const INTRO_CACHE_MS = 30_000;
/** After a TCP dial that took this long to fail, the router punches without dialling that endpoint first for a while. */
const SLOW_DIAL_MS = 1_000;
const TCP_RETRY_MS = 60_000;
/** File chunks wait while more than this is queued on a direct link (which closes beyond 4 MiB). */
const CHUNK_QUEUE_BYTES = 1024 * 1024;
/** How long a direct link that carried a chunk carries the next ones without the route being decided again. */
const CHUNK_LANE_MS = 500;
/** Why a file does not go over a direct link to a contact whose Parley predates file chunks on it. */
export const OLD_PEER = 'their Parley is an older release that cannot take files over a direct link; they need to update';

/** A contact's direct reach, as they sent it to us end-to-end (only contacts who set us `direct` do). */
export function reachOf(db: Db, id: string): { endpoint: string; transportKey: string } | null {
  const raw = getKv(db, `reach.${id}`);
  return raw ? (JSON.parse(raw) as { endpoint: string; transportKey: string }) : null; // '' = withdrawn
}

/**
 * Carries Signal-encrypted contents to a contact along the route the two settings decide: direct,
 * through their relay, or through my relay and a circuit to theirs. It never falls back to a route
 * the settings do not allow: when that route is down, it throws and the outbox waits.
 */
export class Router {
  readonly #c: RouterComponents;
  readonly #links = new Map<string, Promise<RelayClient>>();
  /** Verified intro records by contact, reused for a short while; dropped when a send through them fails. */
  readonly #intros = new Map<string, { intro: ContactReach; until: number }>();
  /** Contacts whose TCP endpoint did not answer a dial (a timeout), until when it is not dialled again. */
  readonly #slowTcp = new Map<string, { endpoint: string; until: number }>();
  /** Contacts whose file chunks went over this open direct link lately, until when it is used without a lookup. */
  readonly #chunkLanes = new Map<string, { conn: PeerConn; until: number }>();

  constructor(c: RouterComponents) {
    this.#c = c;
  }

  theirSetting(id: string, intro: ContactReach | null): Visibility {
    return reachOf(this.#c.db, id) || intro?.endpoint ? 'direct' : 'relayed';
  }

  /**
   * Sends each content in order, texts stamped with the sender's half of the route taken; `onSent(i)`
   * after each leaves. Returns the route it took.
   */
  async send(id: string, contents: Content[], onSent: (i: number, route: RouteReceipt) => void = () => {}): Promise<RouteReceipt> {
    try {
      return await this.#send(id, contents, onSent);
    } catch (err) {
      this.#intros.delete(id);
      throw err;
    }
  }

  /** Drops what is cached about a contact (their intro), e.g. after they reinstalled. */
  forget(id: string): void {
    this.#intros.delete(id);
    this.#chunkLanes.delete(id);
  }

  async #introOf(id: string): Promise<ContactReach> {
    const hit = this.#intros.get(id);
    if (hit && hit.until > Date.now()) return hit.intro;
    const intro = await this.#c.lookup(id);
    this.#intros.set(id, { intro, until: Date.now() + INTRO_CACHE_MS });
    return intro;
  }

  async #send(id: string, contents: Content[], onSent: (i: number, route: RouteReceipt) => void): Promise<RouteReceipt> {
    const mine = getContact(this.#c.db, id)?.visibility ?? 'relayed';
    let intro = reachOf(this.#c.db, id) && mine === 'direct' ? null : await this.#introOf(id);
    let plan = planRoute(mine, this.theirSetting(id, intro));
    let reason: string | undefined;
    if (plan === 'direct') {
      try {
        return await this.#sendDirect(id, contents, onSent, intro?.found ?? { record: 'known' });
      } catch (err) {
        // Their address may be stale (they moved and have not said so yet), they are offline, or no
        // hole could be punched: their relay is a route my `direct` setting allows as well (the
        // direct + relayed row), never a downgrade. The receipt says why direct did not happen.
        intro ??= await this.#introOf(id).catch(() => null);
        if (!intro?.relay) throw err;
        plan = 'their-relay';
        reason = directNotPossible(err);
      }
    }
    const ref = intro?.relay ? decodeRelayRef(intro.relay) : null;
    if (!ref) throw NodeError.UNREACHABLE('they publish no relay to reach them through');
    const { link, same, around } = await this.#link(plan, ref);
    await this.#ensureSession(id, link, ref);
    const route: RouteReceipt = withCircumstances(
      { ...senderReceipt(plan, same), ...(reason ? { reason } : {}) },
      { lookup: intro?.found, detour: around, directLinkOpen: mine === 'relayed' && this.#c.peers.connected(id) !== null },
    );
    const via = senderPath(plan, same);
    for (let i = 0; i < contents.length; i++) {
      await this.#mail(link, ref, id, contents[i]!, via);
      onSent(i, route);
    }
    return route;
  }

  /**
   * Sends a file chunk (a frame Signal does not wrap: its file key seals it) along the route a
   * content would take, with the same fallback from direct to their relay and never another.
   * Resolves once it left, in order; `stored` settles when their relay holds it (at once, direct).
   * `seal` wraps the frame for their mailbox (with the transfer's own key: files-crypto.ts). A direct
   * link that did not open at FILE_CHUNK_VERSION (an older release) is passed over like a down one.
   */
  async sendChunk(id: string, frame: FileChunkFrame<Uint8Array>, seal: (frame: Buffer) => Buffer): Promise<{ route: RouteReceipt; stored: Promise<void> }> {
    // The route a chunk took a moment ago, while that direct link stays open (a switch to relayed
    // closes it at once: peers.drop), saves a file's thousands of chunks their lookups each.
    const lane = this.#chunkLanes.get(id);
    if (lane && lane.until > Date.now() && !lane.conn.closeReason) {
      await lane.conn.drained(CHUNK_QUEUE_BYTES);
      if (lane.conn.send(frame)) return { route: senderReceipt('direct'), stored: Promise.resolve() };
    }
    this.#chunkLanes.delete(id);
    const mine = getContact(this.#c.db, id)?.visibility ?? 'relayed';
    const reach = reachOf(this.#c.db, id);
    let intro = reach && mine === 'direct' ? null : await this.#introOf(id);
    let plan = planRoute(mine, reach || intro?.endpoint ? 'direct' : 'relayed');
    if (plan === 'direct') {
      try {
        const conn = await this.#directLink(id, false);
        // A release that speaks only peer version 1 would close the link on a file-chunk frame.
        if ((conn.version ?? PROTOCOL_VERSION) < FILE_CHUNK_VERSION) throw NodeError.UNREACHABLE(OLD_PEER);
        await conn.drained(CHUNK_QUEUE_BYTES);
        if (!conn.send(frame)) throw NodeError.UNREACHABLE('the connection closed');
        this.#chunkLanes.set(id, { conn, until: Date.now() + CHUNK_LANE_MS });
        return { route: senderReceipt('direct'), stored: Promise.resolve() };
      } catch (err) {
        intro ??= await this.#introOf(id).catch(() => null);
        if (!intro?.relay) throw err;
        plan = 'their-relay';
      }
    }
    const ref = intro?.relay ? decodeRelayRef(intro.relay) : null;
    if (!ref) throw NodeError.UNREACHABLE('they publish no relay to reach them through');
    const { link, same } = await this.#link(plan, ref);
    const stored = link.send(ref.m, seal(peerCodec.encode(frame)));
    stored.catch(() => this.#intros.delete(id));
    return { route: senderReceipt(plan, same), stored };
  }

  /** Starts a Signal session from the prekey bundle on their relay, when there is none yet. */
  async #ensureSession(id: string, link: RelayClient, ref: RelayRef): Promise<void> {
    if (await this.#c.e2e.hasSession(id)) return;
    const blob = await link.getBlob(ref.b);
    if (!blob) throw NodeError.UNREACHABLE('their relay does not hold their prekey bundle');
    await this.#c.e2e.startSession(id, JSON.parse(blob.toString('utf8')));
  }

  /** Sealed to their identity key: their relay stores bytes that name no sender. */
  async #mail(link: RelayClient, ref: RelayRef, id: string, content: Content, via: SenderPath): Promise<void> {
    await link.send(ref.m, sealTo(publicKeyOf(parseId(id)), peerCodec.encode(await this.#frame(id, content, via))));
  }

  /** Whether both settings are `direct`: mine for them, and theirs for me (they gave me their reach). */
  bothDirect(id: string): boolean {
    return this.iAmDirect(id) && reachOf(this.#c.db, id) !== null;
  }

  /** Whether I set this contact `direct` (an accepted, unblocked contact). */
  iAmDirect(id: string): boolean {
    const contact = getContact(this.#c.db, id);
    return contact?.visibility === 'direct' && contact.state === 'added';
  }

  /**
   * Sends hole-punching candidates (my IP addresses) through the contact's relay. The one gate for
   * them, whoever asks: never to a contact I did not set `direct`; an offer only when they set me
   * `direct` too (they gave me their reach); an answer only to their offer, which says as much.
   */
  async signal(id: string, content: CandidatesContent): Promise<void> {
    if (!(content.role === 'offer' ? this.bothDirect(id) : this.iAmDirect(id))) throw NodeError.UNREACHABLE('this contact may not see your IP address');
    const intro = await this.#introOf(id);
    const ref = intro.relay ? decodeRelayRef(intro.relay) : null;
    if (!ref) throw NodeError.UNREACHABLE('they publish no relay to reach them through');
    const { link } = await this.#link('their-relay', ref);
    await this.#ensureSession(id, link, ref);
    await this.#mail(link, ref, id, content, senderPath('their-relay'));
  }

  /**
   * A proven direct link: an open one, a TCP dial, or (behind NATs) a punched UDP path. Only texts
   * wait for a punch; anything else (a receipt) goes through their relay at once while the punch
   * runs on, for what comes next.
   */
  async #directLink(id: string, waitForPunch: boolean): Promise<PeerConn> {
    const puncher = this.#c.punch?.() ?? null;
    try {
      // Behind a NAT a dial may take its whole timeout to fail: after a slow failure to this
      // endpoint, punch at once for a while (a refused dial fails fast and is tried every time).
      const open = this.#c.peers.connected(id);
      if (open) return open;
      const endpoint = reachOf(this.#c.db, id)?.endpoint;
      const slow = this.#slowTcp.get(id);
      if (puncher && slow && slow.endpoint === endpoint && slow.until > Date.now()) throw NodeError.UNREACHABLE('their TCP endpoint did not answer lately');
      const started = Date.now();
      try {
        return await this.#c.peers.connect(id);
      } catch (err) {
        if (endpoint && Date.now() - started > SLOW_DIAL_MS) this.#slowTcp.set(id, { endpoint, until: Date.now() + TCP_RETRY_MS });
        throw err;
      }
    } catch (err) {
      if (!puncher || !this.bothDirect(id)) throw err;
      const punched = puncher.connect(id);
      if (waitForPunch) return punched;
      punched.catch(() => {}); // its failure is remembered by the puncher and said by the next text's receipt
      throw err;
    }
  }

  async #sendDirect(id: string, contents: Content[], onSent: (i: number, route: RouteReceipt) => void, lookup: LookupReceipt): Promise<RouteReceipt> {
    const conn = await this.#directLink(
      id,
      contents.some((c) => c.t === 'text'),
    );
    if (!(await this.#c.e2e.hasSession(id))) await this.#c.e2e.startSession(id, await this.#c.bundles.request(conn));
    const route = withCircumstances(senderReceipt('direct'), { lookup });
    for (let i = 0; i < contents.length; i++) {
      if (!conn.send(await this.#frame(id, contents[i]!, 'direct'))) throw NodeError.UNREACHABLE('the connection closed');
      onSent(i, route);
    }
    return route;
  }

  /** Sends on a connection the contact opened to us (a reply on a link that already exists). */
  async reply(conn: PeerConn, id: string, content: Content): Promise<void> {
    conn.send(await this.#frame(id, content, 'direct'));
  }

  /** Sends an envelope already encrypted to the contact (a receipt sealed in the decryption's transaction); false if the link closed. */
  sendEncrypted(conn: PeerConn, env: { kind: 'prekey' | 'whisper'; body: Buffer }): boolean {
    return conn.send(this.#envelope(env));
  }

  async stop(): Promise<void> {
    for (const p of this.#links.values()) await p.then((c) => c.close()).catch(() => {});
  }

  async #frame(id: string, content: Content, via: SenderPath): Promise<PeerFrameOut> {
    return this.#envelope(await this.#c.e2e.encrypt(id, contentCodec.encode(content.t === 'text' ? { ...content, via } : content)));
  }

  #envelope(env: { kind: 'prekey' | 'whisper'; body: Buffer }): PeerFrameOut {
    const frame = { v: 1 as const, t: 'env' as const, from: this.#c.identity.id, kind: env.kind, body: toB64(env.body) };
    return env.kind === 'prekey' ? { ...frame, bind: toB64(this.#c.identity.binding) } : frame;
  }

  async #link(plan: 'their-relay' | 'two-relays', ref: RelayRef): Promise<{ link: RelayClient; same: boolean; around?: RelayAddress }> {
    const mine = this.#c.myRelay;
    if (plan === 'two-relays') {
      const client = mine?.client;
      if (!mine) throw NodeError.UNREACHABLE('you have no relay, and this contact may not see your IP address: name a relay to reach them');
      if (!client) throw NodeError.UNREACHABLE('your relay is unreachable, and this contact may not see your IP address');
      const same = mine.relay.host === ref.h && mine.relay.port === ref.p && mine.relay.publicKey === ref.k;
      const around = same ? (this.#c.detour?.() ?? null) : null;
      if (around) {
        const open = async () => (await client.openCircuit(around.host, around.port, around.publicKey)).openCircuit(ref.h, ref.p, ref.k);
        return { link: await this.#cached(`around ${around.host}:${around.port}`, open), same: false, around };
      }
      if (same) return { link: client, same };
      return { link: await this.#cached(`circuit ${ref.h}:${ref.p}`, () => client.openCircuit(ref.h, ref.p, ref.k)), same };
    }
    return {
      link: await this.#cached(`direct ${ref.h}:${ref.p}`, () =>
        new RelayClient({ host: ref.h, port: ref.p, publicKey: ref.k, localAddress: this.#c.localAddress }).connect(),
      ),
      same: false,
    };
  }

  async #cached(key: string, open: () => Promise<RelayClient>): Promise<RelayClient> {
    const existing = this.#links.get(key);
    if (existing) {
      const c = await existing.catch(() => null);
      if (c?.connected) return c;
      this.#links.delete(key);
    }
    const p = open();
    this.#links.set(key, p);
    p.catch(() => this.#links.delete(key));
    return p;
  }
}
