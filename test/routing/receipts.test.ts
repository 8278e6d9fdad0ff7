import { describe, expect, it } from 'vitest';
import { MAILBOX_RECEIPT, mailboxReceipt, planRoute, senderPath, senderReceipt } from '../../src/routing/policy.js';
import { SENDER_PATHS } from '../../src/wire/content.js';

describe('route receipts on both ends', () => {
  it('the receiver of mail shows the same route as the sender, for every plan', () => {
    for (const mine of ['direct', 'relayed'] as const) {
      for (const theirs of ['direct', 'relayed'] as const) {
        const plan = planRoute(mine, theirs);
        if (plan === 'direct') continue; // arrives on a direct link, not from the mailbox
        for (const same of [false, true]) {
          if (same && plan !== 'two-relays') continue;
          const sent = senderReceipt(plan, same);
          const got = mailboxReceipt(senderPath(plan, same));
          expect(got.route, `${mine}/${theirs}${same ? ' same relay' : ''}`).toBe(sent.route);
          expect(got.hops).toHaveLength(sent.hops.length);
          expect(!!got.sameRelay).toBe(!!sent.sameRelay);
          expect(got.senderReported).toBe(true);
          // Whatever the sender saw of its own side, the receiver's IP stays hidden from the sender.
          expect(got.sees).toContainEqual({ party: 'contact', ips: [] });
        }
      }
    }
  });

  it('a claim that contradicts what the receiver saw, or none at all, leaves only what it observed', () => {
    expect(mailboxReceipt('direct')).toEqual(MAILBOX_RECEIPT); // nothing direct comes out of a mailbox
    expect(mailboxReceipt(undefined)).toEqual(MAILBOX_RECEIPT);
    expect(MAILBOX_RECEIPT.senderReported).toBeUndefined();
    expect(SENDER_PATHS.map((p) => mailboxReceipt(p).route)).toEqual(['one-relay', 'one-relay', 'two-relays', 'one-relay']);
  });
});
