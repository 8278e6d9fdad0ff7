import type { Logger } from 'pino';
import type UDX from 'udx-native';
import { randomBytes } from '../identity/index.js';
import { TransportError, type PunchCandidates, type Reflector } from '../transport/index.js';
import type { KeyPair } from '../transport/connection.js';
import { describeError } from '../wire/errors.js';
import type { CandidatesContent } from '../wire/content.js';
import type { PeerConn, Peers } from './peers.js';
import { NodeError } from './errors.js';
import { newUdx } from './udx.js';
import { prepareSocket, punchLink, type LinkAttempt, type Prepared, type Theirs, type UdxSocket } from './punch-link.js';

/*
 * Hole punching between two contacts who both set each other `direct` (protocol flow):
 *   offerer                                                  answerer
 *   learns its UDP mapping from its relays' reflectors
 *   candidates{role: offer, punchId, addresses, kind}  ──►  (inside Signal, through their relay)
 *                                                           learns its own mapping
 *                                                 ◄──  candidates{role: answer, same punchId}
 *                                                           probes at once (long low-TTL opening)
 *   probes at once; Noise IK initiator to their key          Noise IK responder, checks the key
 * The first authenticated Noise handshake with the contact's key is the direct link, exactly as a
 * TCP one: it joins Peers and carries the peer protocol. Both offering at once ("glare"): the side
 * with the smaller ID keeps its offer, the other answers it.
 */

export interface PunchComponents {
  peers: Peers;
  logger: Logger;
  /** Local address to bind the UDP socket of each attempt to. */
  host: string;
  /** The relays' UDP reflectors to learn the public mapping from (two tell a symmetric NAT apart). */
  reflectors: () => Reflector[];
  /** My current direct key (the one `direct` contacts are given). */
  keyPair: () => KeyPair;
  /** Whether both settings are `direct` now (they gave me their reach): the rule for offering. */
  bothDirect: (id: string) => boolean;
  /** Whether I set this contact `direct`: the rule for answering (their authenticated offer says they set me `direct`). */
  iAmDirect: (id: string) => boolean;
  /** Sends a candidates content through the contact's relay (never through a direct link). */
  signal: (id: string, content: CandidatesContent) => Promise<void>;
  selfId: string;
  now: () => number;
}

export interface PunchInit {
  /** How long the offerer waits for the answer (which comes through two relays' worth of path). */
  answerTimeoutMs?: number;
  deadlineMs?: number;
  /** After a punch that cannot work (both networks change ports), direct is not tried again for this long. */
  impossibleForMs?: number;
  /** After any other failed attempt (no answer, no probe through), the next waits this long: messages go through the relay meanwhile. */
  failedForMs?: number;
}

/** An offer older than this (by the sender's clock) is ignored: its offerer stopped waiting long ago. */
const STALE_OFFER_MS = 20_000;

type Answer = { theirs: Theirs } | { replaced: Promise<PeerConn> };

interface Offer {
  punchId: string;
  /** Set once answered (or replaced by answering their crossing offer). */
  answer: Answer | null;
  answered: (a: Answer) => void;
}

export class Puncher {
  readonly #c: PunchComponents;
  readonly #answerTimeoutMs: number;
  readonly #deadlineMs: number;
  readonly #impossibleForMs: number;
  readonly #failedForMs: number;
  /** Created at the first punch (udx.ts: the addon loads then). */
  #udx: UDX | null = null;
  /** One attempt per contact at a time, whoever started it. */
  readonly #attempts = new Map<string, Promise<PeerConn>>();
  readonly #offers = new Map<string, Offer>();
  /** Contacts with whom punching did not work lately, with the reason, until a time. */
  readonly #impossible = new Map<string, { error: TransportError; until: number }>();
  /** Counters a test or an operator may read: nothing identifying. */
  readonly stats = { offersSent: 0, answersSent: 0, candidatesReceived: 0, refused: 0, punched: 0, failed: 0 };

  constructor(components: PunchComponents, init: PunchInit = {}) {
    this.#c = components;
    this.#answerTimeoutMs = init.answerTimeoutMs ?? 5_000;
    this.#deadlineMs = init.deadlineMs ?? 5_000;
    this.#impossibleForMs = init.impossibleForMs ?? 10 * 60_000;
    this.#failedForMs = init.failedForMs ?? 60_000;
  }

  /** A direct link to `id` over a punched UDP path; rejects (DIRECT_IMPOSSIBLE, NO_REFLECTOR, ...) when there is none. */
  connect(id: string): Promise<PeerConn> {
    const known = this.#impossible.get(id);
    if (known && known.until > this.#c.now()) return Promise.reject(known.error);
    return this.#once(id, () =>
      this.#offer(id).catch((err: unknown) => {
        const fresh = (this.#impossible.get(id)?.until ?? 0) > this.#c.now();
        if (TransportError.is(err) && (err.code === 'DIRECT_IMPOSSIBLE' || err.code === 'NO_REFLECTOR') && !fresh) {
          this.#impossible.set(id, { error: err, until: this.#c.now() + this.#failedForMs });
        }
        throw err;
      }),
    );
  }

  /** A candidates content from `from` (decrypted: only they could have sent it). */
  onCandidates(from: string, content: CandidatesContent): void {
    this.stats.candidatesReceived++;
    const theirs: Theirs = {
      addresses: content.addresses,
      kind: content.kind,
      streamId: content.streamId,
      key: Buffer.from(content.transportKey, 'base64'),
    };
    if (content.role === 'answer') {
      const offer = this.#offers.get(from);
      if (offer?.punchId === content.punchId) offer.answered({ theirs });
      return;
    }
    if (!this.#c.iAmDirect(from) || this.#c.now() - content.at > STALE_OFFER_MS) return void this.stats.refused++;
    const mine = this.#offers.get(from);
    if (mine && !mine.answer) {
      // Glare: both offered at once. The smaller ID keeps its offer (the other side answers it);
      // the larger answers theirs, and its own waiting offer takes the result.
      if (this.#c.selfId < from) return;
      const answering = this.#answer(from, content.punchId, theirs);
      answering.catch(() => {}); // awaited by my offer, perhaps only once its socket is ready
      mine.answered({ replaced: answering });
      return;
    }
    if (this.#attempts.has(from)) return; // one at a time: a punch with them is under way
    this.#once(from, () => this.#answer(from, content.punchId, theirs)).catch((err: unknown) =>
      this.#c.logger.info({ err: describeError(err) }, 'an answered hole punch failed'),
    );
  }

  async stop(): Promise<void> {
    const stopped = Promise.reject(TransportError.DIRECT_IMPOSSIBLE('the node is stopping'));
    stopped.catch(() => {});
    for (const o of this.#offers.values()) if (!o.answer) o.answered({ replaced: stopped });
    await Promise.allSettled([...this.#attempts.values()]);
  }

  #once(id: string, run: () => Promise<PeerConn>): Promise<PeerConn> {
    const running = this.#attempts.get(id);
    if (running) return running;
    const p = run().finally(() => {
      if (this.#attempts.get(id) === p) this.#attempts.delete(id);
    });
    this.#attempts.set(id, p);
    return p;
  }

  async #offer(id: string): Promise<PeerConn> {
    if (!this.#c.bothDirect(id)) throw NodeError.UNREACHABLE('this contact may not see your IP address');
    const punchId = randomBytes(16).toString('hex');
    let wake: (a: Answer) => void = () => {};
    const answered = new Promise<Answer>((resolve) => (wake = resolve));
    // Registered before anything is sent, so an offer of theirs crossing mine is seen as glare.
    const offer: Offer = { punchId, answer: null, answered: (a) => ((offer.answer ??= a), wake(a)) };
    this.#offers.set(id, offer);
    let socket: UdxSocket | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const prepared = await this.#prepare();
      socket = prepared.socket;
      if (!offer.answer) {
        await this.#c.signal(id, this.#content('offer', punchId, prepared.mine));
        this.stats.offersSent++;
      }
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(TransportError.DIRECT_IMPOSSIBLE('the contact did not answer the hole-punching offer in time')), this.#answerTimeoutMs);
      });
      const got = await Promise.race([answered, timeout]);
      if ('replaced' in got) {
        void socket.close();
        return await got.replaced;
      }
      return await this.#punch(id, socket, { isInitiator: true, mine: prepared.mine, theirs: got.theirs, punchId });
    } catch (err) {
      void socket?.close();
      throw err;
    } finally {
      clearTimeout(timer);
      if (this.#offers.get(id) === offer) this.#offers.delete(id);
    }
  }

  async #answer(id: string, punchId: string, theirs: Theirs): Promise<PeerConn> {
    const { socket, mine } = await this.#prepare();
    try {
      await this.#c.signal(id, this.#content('answer', punchId, mine));
      this.stats.answersSent++;
      // The offerer starts once my answer reached it (a relay's latency after me): my probes keep a
      // low TTL meanwhile, so they open my NAT without reaching theirs before it opened towards me.
      return await this.#punch(id, socket, { isInitiator: false, mine, theirs, punchId, openMs: 1_000 });
    } catch (err) {
      void socket.close();
      throw err;
    }
  }

  #prepare(): Promise<Prepared> {
    return prepareSocket((this.#udx ??= newUdx()), this.#c.host, this.#c.reflectors());
  }

  async #punch(id: string, socket: UdxSocket, a: Omit<LinkAttempt, 'keyPair' | 'deadlineMs'>): Promise<PeerConn> {
    try {
      const conn = await punchLink(socket, { ...a, keyPair: this.#c.keyPair(), deadlineMs: this.#deadlineMs });
      if (!this.#c.peers.adopt(id, conn)) throw NodeError.UNREACHABLE('this contact may not see your IP address');
      this.#impossible.delete(id);
      this.stats.punched++;
      return conn;
    } catch (err) {
      this.stats.failed++;
      // Either side of a failed punch stops trying for a while (its own sends go through the relay at once).
      if (TransportError.is(err) && err.code === 'DIRECT_IMPOSSIBLE') {
        const both = a.mine.kind === 'changes-ports' && a.theirs.kind === 'changes-ports';
        this.#impossible.set(id, { error: err, until: this.#c.now() + (both ? this.#impossibleForMs : this.#failedForMs) });
      }
      throw err;
    }
  }

  #content(role: 'offer' | 'answer', punchId: string, mine: PunchCandidates): CandidatesContent {
    const transportKey = this.#c.keyPair().publicKey.toString('base64');
    return { v: 1, t: 'candidates', punchId, role, addresses: mine.addresses, kind: mine.kind, streamId: mine.streamId, transportKey, at: this.#c.now() };
  }
}
