import { describe, expect, it } from 'vitest';
import { Admission, sourceOf } from '../../src/transport/index.js';

describe('source addresses', () => {
  it('counts an IPv4 address alone, an IPv6 address by its /64, a mapped IPv4 as the IPv4', () => {
    expect(sourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    const a = sourceOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002::1')).toBe(a);
    expect(sourceOf('2001:db8:1:2::ffff:1.2.3.4')).toBe(a);
    expect(sourceOf('2001:DB8:1:2::1%eth0')).toBe(a);
    expect(sourceOf('2001:db8:1:3::1')).not.toBe(a);
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf('')).toBe('unknown');
  });
});

describe('admission', () => {
  it('turns away one source beyond its handshakes and connections, and keeps the rest for finished handshakes', () => {
    const gate = new Admission({ maxConnections: 100, maxHandshakes: 20, connectionsPerSource: 10, handshakesPerSource: 4 });
    const one = Array.from({ length: 6 }, () => gate.admit('10.0.0.1'));
    expect(one.map((r) => ('refused' in r ? r.refused : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok', 'SOURCE_BUSY', 'SOURCE_BUSY']);
    for (let i = 0; i < 4; i++) gate.opened('10.0.0.1'); // its four finish: room for more of its handshakes
    const more = Array.from({ length: 8 }, () => gate.admit('10.0.0.1'));
    expect(more.filter((r) => 'source' in r)).toHaveLength(4);
    for (let i = 0; i < 4; i++) gate.opened('10.0.0.1');
    const last = Array.from({ length: 3 }, () => gate.admit('10.0.0.1')); // 8 open: room for 2 more of 10
    expect(last.map((r) => ('refused' in r ? r.refused : 'ok'))).toEqual(['ok', 'ok', 'SOURCE_BUSY']);

    // Many sources, each within its own limits, share 20 handshake slots; finished ones free theirs.
    const crowd = Array.from({ length: 30 }, (_, i) => gate.admit(`10.0.1.${i}`));
    expect(crowd.filter((r) => 'source' in r)).toHaveLength(18); // 20 minus the two still pending above
    expect(crowd.at(-1)).toEqual({ refused: 'HANDSHAKES_BUSY' });
    gate.closed('10.0.1.0', false);
    expect('source' in gate.admit('10.0.2.1')).toBe(true);
  });
});

describe('a peer relay carrying circuits', () => {
  it('is held to the totals only, while an ordinary source keeps its share', () => {
    const a = new Admission({ maxConnections: 100, maxHandshakes: 100, connectionsPerSource: 4, handshakesPerSource: 2 }, (addr) => addr === '198.51.100.7');
    const relay = Array.from({ length: 50 }, () => a.admit('198.51.100.7'));
    expect(relay.every((r) => 'source' in r)).toBe(true);
    expect(a.admit('203.0.113.9')).toHaveProperty('source');
    expect(a.admit('203.0.113.9')).toHaveProperty('source');
    expect(a.admit('203.0.113.9')).toEqual({ refused: 'SOURCE_BUSY' });
    for (let i = 0; i < 48; i++) a.admit('198.51.100.7'); // 50 + 2 + 48: all 100 slots
    expect(a.admit('198.51.100.7')).toEqual({ refused: 'AT_CAPACITY' });
  });
});
