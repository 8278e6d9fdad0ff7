import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { Network, Relay } from '../api/schema.js';
import { Dialog } from './dialog.js';
import { errorText } from './errors.js';

const USE: Record<Relay['uses'][number], string> = {
  guard: 'guard (sees your IP)',
  'intro-mailbox': 'intro mailbox',
  'dht-exit': 'DHT exit (sees the IDs you look up, not your IP)',
};

/** How this device is connected and which relays it knows: for this person only, nothing here is published. */
export function NetworkPanel({ client, onClose }: { client: ApiClient; onClose: () => void }) {
  const [net, setNet] = useState<Network | null>(null);
  const [relays, setRelays] = useState<Relay[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    client.network().then(setNet, (e: unknown) => setError(errorText(e)));
    client.relays().then(setRelays, (e: unknown) => setError(errorText(e)));
  }, [client]);
  const mark = (r: Relay, m: 'pin' | 'unpin' | 'exclude' | 'include') =>
    void client.markRelay(r.publicKey, m).then(
      (rs) => (setRelays(rs), setNote('Saved: it takes effect the next time Parley starts.')),
      (e: unknown) => setError(errorText(e)),
    );
  return (
    <Dialog title="Network" onClose={onClose}>
      {error && <p role="alert">{error}</p>}
      {net && (
        <dl class="network">
          <dt>Network</dt>
          <dd>
            {net.state === 'up'
              ? 'connected'
              : net.state === 'starting'
                ? 'connecting (what you send waits in the outbox meanwhile)'
                : `not connected${net.problem ? `: ${net.problem}` : ''}`}
          </dd>
          <dt>DHT</dt>
          <dd>{net.dhtNodes} nodes known</dd>
          <dt>Public address</dt>
          <dd>{net.publicAddress ? `${net.publicAddress.host}:${net.publicAddress.port} (as your relay sees you; shown to you only)` : 'unknown'}</dd>
          <dt>Direct</dt>
          <dd>
            {net.direct.possible ? 'possible' : 'not possible'}: {net.direct.why}
          </dd>
        </dl>
      )}
      <h3>Relays</h3>
      {relays.length === 0 ? (
        <p class="hint">No relay known yet.</p>
      ) : (
        <ul class="relays" aria-label="Relays">
          {relays.map((r) => (
            <li key={r.publicKey}>
              <span class="mono">
                {r.host}:{r.port}
              </span>{' '}
              {r.excluded ? 'excluded' : r.rttMs !== null && r.failuresInARow === 0 ? `${r.rttMs} ms` : r.failuresInARow ? 'failing' : 'not measured'}
              {r.uses.length > 0 && <strong> · in use: {r.uses.map((u) => USE[u]).join(', ')}</strong>}
              {r.pinned && ' · pinned'}{' '}
              <button type="button" onClick={() => mark(r, r.pinned ? 'unpin' : 'pin')}>
                {r.pinned ? 'Unpin' : 'Pin'}
              </button>
              <button type="button" onClick={() => mark(r, r.excluded ? 'include' : 'exclude')}>
                {r.excluded ? 'Allow' : 'Exclude'}
              </button>
            </li>
          ))}
        </ul>
      )}
      {note && (
        <p role="status" class="hint">
          {note}
        </p>
      )}
    </Dialog>
  );
}
