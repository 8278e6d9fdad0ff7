import { join } from 'node:path';
import { Identity, saveIdentity } from '../../../src/identity/index.js';
import { addContact, queueMessage } from '../../../src/node/index.js';
import { history, setKv, setVisibility, type MessageRow, type Visibility } from '../../../src/store/index.js';
import { toB64 } from '../../../src/wire/bytes.js';
import type { Internet, NatKind, Side } from './internet.js';
import { lineChild, type LineChild } from './line-child.js';
import { withDb } from '../processes.js';
import { until } from '../../helpers/until.js';

export interface Person {
  home: string;
  identity: Identity;
  side: Side;
  child?: LineChild;
}

/**
 * Pairs of real Parley nodes (netns/person.ts) behind NATs of the small internet, for
 * nat-node.test.ts and bench/nat.ts. `services` is the JSON line of netns/punch-services.ts.
 */
export class NatPeople {
  #people: Person[] = [];
  #made = 0;

  constructor(
    private readonly net: Internet,
    private readonly services: string,
    private readonly root: string,
  ) {}

  /**
   * Two new people behind NATs of the given kinds, contacts of each other with the given settings,
   * running. `knowReach`: each already holds the other's direct key (as after an earlier exchange)
   * with an endpoint behind their NAT, so the very first message needs a punch.
   */
  async pair(kinds: [NatKind, NatKind], sets: [Visibility, Visibility], knowReach = false): Promise<[Person, Person]> {
    await this.stop();
    const [a, b] = kinds.map((kind, i): Person => ({
      home: join(this.root, `p${this.#made++}`),
      identity: Identity.generate(),
      side: this.net.side(i, kind),
    })) as [Person, Person];
    for (const [me, them, setting] of [
      [a, b, sets[0]],
      [b, a, sets[1]],
    ] as const) {
      saveIdentity(me.home, me.identity);
      withDb(me.home, (db) => {
        addContact(db, me.identity.id, them.identity.id, Date.now());
        setVisibility(db, them.identity.id, setting);
        const reach = { v: 1, t: 'reach', endpoint: `${them.side.host}:9`, transportKey: toB64(them.identity.transportKey.publicKey) };
        if (knowReach) setKv(db, `reach.${them.identity.id}`, JSON.stringify(reach));
      });
    }
    this.#people = [a, b];
    for (const p of this.#people) {
      p.child = lineChild(p.side.netns, process.execPath, ['--import', 'tsx', 'test/reliability/netns/person.ts', p.home, p.side.host, this.services]);
      await p.child.next();
    }
    return [a, b];
  }

  /** Queues `texts` from x to y (as `parley send` does beside a running node) and waits for every receipt. */
  async say(x: Person, y: Person, texts: string[]): Promise<{ sent: MessageRow[]; got: MessageRow[] }> {
    const ids = withDb(x.home, (db) => texts.map((t) => queueMessage(db, x.identity.id, y.identity.id, t, Date.now()).id));
    const sent = () => withDb(x.home, (db) => history(db, y.identity.id, 10_000).filter((m) => ids.includes(m.id)));
    await until(() => sent().every((m) => m.state === 'delivered'), `${texts.length} messages to be confirmed`, 60_000);
    const got = withDb(y.home, (db) => history(db, x.identity.id, 10_000).filter((m) => m.direction === 'in' && ids.includes(m.id)));
    return { sent: sent(), got };
  }

  async stop(): Promise<void> {
    for (const p of this.#people) await p.child?.stop();
    this.#people = [];
  }
}
