/**
 * What a route receipt says beyond the hops (issue 13 §8), in plain words, for the web UI's receipt
 * dialog and the CLI's `history` and `send` alike (one function, so they cannot disagree): how the
 * contact's reach was found and where that lookup left from, a detour, and warnings (each beginning
 * "Warning:") when something less private than the settings promise happened. Browser-safe: it
 * imports the schema for its types only (a value import would bundle zod, whose eval probe the
 * page's CSP refuses).
 */
import type { RouteReceipt } from './schema.js';

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
