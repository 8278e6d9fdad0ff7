import { execFileSync } from 'node:child_process';

/*
 * A small internet in network namespaces, for the NAT matrix test and bench: one "public" segment
 * (relays on 10.203.0.2/.3) and people behind NATs of each common kind. Every address is private
 * (10.203-205/16, 192.168.110-119/24) inside namespaces created here and removed by `remove()`.
 *
 *   host 192.168.11i.2 ── NAT 10.205.i.2 ── ISP router ── public core (relays 10.203.0.2/.3)
 *   cgnat: host ── home NAT 10.204.i.2 ── carrier NAT 10.205.i.2 ── ISP router ── public core
 * Each NAT has an ISP router upstream, as on the internet, so that a probe's small opening TTL
 * can open its own NATs without reaching the other side's (see openTtls in punch.ts).
 */
export type NatKind = 'masquerade' | 'full-cone' | 'symmetric' | 'cgnat';
export const RELAY_HOSTS = ['10.203.0.2', '10.203.0.3'];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}
const ip = (...args: string[]) => sh('ip', args);
const inNs = (name: string, cmd: string, ...args: string[]) => sh('ip', ['netns', 'exec', name, cmd, ...args]);

/** Why namespaces with NAT cannot be built here, or null when they can. */
export function netnsUnavailable(tag: string): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `${tag}p`;
  try {
    ip('netns', 'add', probe);
    inNs(probe, 'iptables', '-t', 'nat', '-L', '-n');
  } catch (err) {
    return `ip netns or iptables NAT is not usable here (${(err as Error).message.split('\n')[0]})`;
  } finally {
    try {
      ip('netns', 'del', probe);
    } catch {
      /* never created */
    }
  }
  return null;
}

export interface Side {
  /** The namespace the person's programs run in, and their (private) address there. */
  netns: string;
  host: string;
  kind: NatKind;
}

export class Internet {
  readonly publicNs: string;
  readonly #tag: string;
  readonly #made = new Set<string>();

  /** Each internet gets names of its own: the kernel deletes a removed namespace's links later, so reusing a name at once can fail with "File exists". */
  static #built = 0;

  constructor(tag: string) {
    this.#tag = `${tag}${(Internet.#built++ % 36).toString(36)}`;
    this.publicNs = `${this.#tag}pub`;
  }

  build(): void {
    this.remove();
    this.#del(this.publicNs); // left by a run that was killed
    this.#ns(this.publicNs);
    for (const a of RELAY_HOSTS) ip('-n', this.publicNs, 'addr', 'add', `${a}/32`, 'dev', 'lo');
    inNs(this.publicNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  }

  /** Puts person `i` (0..8) behind a NAT of `kind`, replacing whoever was there. */
  side(i: number, kind: NatKind): Side {
    const [router, carrier, host, isp] = [`${this.#tag}r${i}`, `${this.#tag}c${i}`, `${this.#tag}h${i}`, `${this.#tag}i${i}`];
    // The public end of the old side's link is deleted first, at once: left to the namespace's
    // removal, the kernel deletes it later, and making the new link of that name could fail.
    try {
      ip('-n', this.publicNs, 'link', 'del', `${this.#tag}p${i}`);
    } catch {
      /* not there */
    }
    for (const n of [router, carrier, host, isp]) this.#del(n);
    const wan = `10.203.${i + 1}`;
    const lan = `192.168.${110 + i}`;
    this.#ns(router);
    this.#ns(host);
    // The outermost NAT faces the public segment.
    const outer = kind === 'cgnat' ? carrier : router;
    if (kind === 'cgnat') this.#ns(carrier);
    this.#ns(isp);
    this.#link(this.publicNs, `${wan}.1`, isp, `${wan}.2`, `${this.#tag}p${i}`);
    ip('-n', isp, 'route', 'add', 'default', 'via', `${wan}.1`);
    ip('-n', this.publicNs, 'route', 'add', `10.205.${i}.0/24`, 'via', `${wan}.2`);
    this.#link(isp, `10.205.${i}.1`, outer, `10.205.${i}.2`, `${this.#tag}w${i}`);
    ip('-n', outer, 'route', 'add', 'default', 'via', `10.205.${i}.1`);
    if (kind === 'cgnat') {
      const mid = `10.204.${i}`;
      this.#link(carrier, `${mid}.1`, router, `${mid}.2`, `${this.#tag}m${i}`);
      ip('-n', router, 'route', 'add', 'default', 'via', `${mid}.1`);
      this.#nat(carrier, `${this.#tag}W${i}`, 'masquerade');
      this.#nat(router, `${this.#tag}M${i}`, 'masquerade');
    } else {
      this.#nat(router, `${this.#tag}W${i}`, kind, `10.205.${i}.2`, `${lan}.2`);
    }
    this.#link(router, `${lan}.1`, host, `${lan}.2`, `${this.#tag}l${i}`);
    ip('-n', host, 'route', 'add', 'default', 'via', `${lan}.1`);
    return { netns: host, host: `${lan}.2`, kind };
  }

  remove(): void {
    for (const n of [...this.#made]) this.#del(n);
  }

  #ns(name: string): void {
    ip('netns', 'add', name);
    this.#made.add(name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }

  #del(name: string): void {
    try {
      ip('netns', 'del', name);
    } catch {
      /* not there */
    }
    this.#made.delete(name);
  }

  /** A veth pair `upper`(addr u) ↔ `lower`(addr l); the lower end's name is `dev` upper-cased. */
  #link(upper: string, u: string, lower: string, l: string, dev: string): void {
    const low = dev.replace(/[a-z](\d+)$/, (m) => m.toUpperCase());
    ip('-n', upper, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', low, 'netns', lower);
    ip('-n', upper, 'addr', 'add', `${u}/24`, 'dev', dev);
    ip('-n', upper, 'link', 'set', dev, 'up');
    ip('-n', lower, 'addr', 'add', `${l}/24`, 'dev', low);
    ip('-n', lower, 'link', 'set', low, 'up');
    inNs(lower, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  }

  /** NAT on `router` for traffic leaving through `out`. */
  #nat(router: string, out: string, kind: NatKind, wanAddr?: string, hostAddr?: string): void {
    const nat = (...rule: string[]) => inNs(router, 'iptables', '-t', 'nat', '-A', ...rule);
    if (kind === 'masquerade' || kind === 'cgnat') nat('POSTROUTING', '-o', out, '-j', 'MASQUERADE');
    else if (kind === 'symmetric') nat('POSTROUTING', '-o', out, '-j', 'MASQUERADE', '--random-fully');
    else {
      // Full cone: one static mapping both ways; anyone outside reaches the host on any port.
      nat('POSTROUTING', '-o', out, '-j', 'SNAT', '--to-source', wanAddr!);
      nat('PREROUTING', '-i', out, '-j', 'DNAT', '--to-destination', hostAddr!);
    }
  }
}
