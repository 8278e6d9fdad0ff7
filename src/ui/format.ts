import { NOT_SENT_YET } from '../api/client.js';
import type { Contact, Message, RouteReceipt } from '../api/schema.js';

export const ROUTE_LABEL: Record<RouteReceipt['route'], string> = { direct: 'Direct', 'one-relay': '1 relay', 'two-relays': '2 relays' };

export const HOP_LABEL = (hop: string, name: string) =>
  hop === 'direct' ? `straight between your device and ${name}'s` : hop === 'my-relay' ? 'your relay' : `${name}'s relay`;

export const PARTY_LABEL = (party: string, name: string) => (party === 'contact' ? name : party === 'my-relay' ? 'Your relay' : `${name}'s relay`);

export function displayName(c: Pick<Contact, 'name' | 'id'>): string {
  return c.name || `${c.id.slice(0, 8)}…`;
}

export function stateLabel(m: Message): string {
  switch (m.state) {
    case 'waiting':
      return m.waitingBecause && m.waitingBecause !== NOT_SENT_YET ? `Waiting in outbox: ${m.waitingBecause}` : 'Waiting in outbox';
    case 'sent':
      return 'Sent (waiting for their receipt)';
    case 'delivered':
      return 'Delivered';
    case 'received':
      return 'Received';
  }
}

export function time(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** What one visibility setting means, in one sentence, for the settings screen. */
export function visibilityExplained(v: 'direct' | 'relayed', name: string): string {
  return v === 'relayed'
    ? `${name} never sees your IP address: your messages go through relays, which see only encrypted bytes, and your relay never learns who ${name} is.`
    : `${name} may see your IP address, because your devices can connect directly (no relay sees this conversation then); messages stay end-to-end encrypted.`;
}

/** Splits a search snippet (matches between \u0002 and \u0003) into plain and highlighted parts. */
export function snippetParts(s: string): Array<{ text: string; hit: boolean }> {
  const parts: Array<{ text: string; hit: boolean }> = [];
  for (const [i, chunk] of s.split('\u0002').entries()) {
    if (i === 0) {
      if (chunk) parts.push({ text: chunk, hit: false });
      continue;
    }
    const [hit, rest] = chunk.split('\u0003');
    parts.push({ text: hit ?? '', hit: true });
    if (rest) parts.push({ text: rest, hit: false });
  }
  return parts;
}

export const svgDataUrl = (svg: string) => `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;

/**
 * What a route receipt says beyond the hops (issue 13 §8), in plain words, for the receipt dialog:
 * how the contact's reach was found and where that lookup left from, a detour, and warnings (each
 * beginning "Warning:") when something less private than the settings promise happened. Here, not in
 * the schema: the UI imports the schema for its types only (a value import would bundle zod, whose
 * eval probe the page's CSP refuses).
 */
export function receiptCircumstances(r: RouteReceipt, name: string): string[] {
  const out: string[] = [];
  const l = r.lookup;
  if (l) {
    const via = !l.via
      ? ''
      : 'exit' in l.via
        ? `, looked up through relay ${l.via.exit}: DHT nodes saw that relay's address, not yours`
        : l.via.ownAddress === 'reachable-by-strangers'
          ? ', looked up from your own address (you chose to be reachable directly by strangers)'
          : ', looked up from your own address';
    if (l.record === 'known') out.push(`No DHT lookup: ${name} gave you their direct address themselves.`);
    else if (l.record === 'rendezvous') out.push(`${name}'s reach came from your pair's rendezvous record, which names neither of you${via}.`);
    else if (l.fallback) out.push(`No rendezvous record of ${name}'s was found, so their intro record was used (it names them)${via}.`);
    else out.push(`${name}'s reach came from their intro record (a first contact: it names them)${via}.`);
  }
  if (r.detour) {
    out.push(
      `${name}'s mailbox is on your relay too: the message went around it through relay ${r.detour}, so your relay got it from that relay's address, not yours.`,
    );
  }
  for (const w of r.warnings ?? []) {
    out.push(
      w === 'lookup-from-own-address'
        ? `Warning: the lookup left from your own address, because you have no relay: DHT nodes could tie your address to your ID and to ${name}'s.`
        : `Warning: a direct connection with ${name} was open although you set them to relayed: ${name} could see your IP address.`,
    );
  }
  return out;
}
