import { useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { Contact } from '../api/schema.js';
import { displayName } from './format.js';

/**
 * One incoming contact request: who it is from (the name they offered, marked unverified: anyone
 * can type any name), what they wrote, and accept (naming them), decline or block.
 */
export function RequestItem({ client, contact: c, onDone, onOpen }: { client: ApiClient; contact: Contact; onDone: () => void; onOpen: (id: string) => void }) {
  const [name, setName] = useState(c.offeredName ?? '');
  const accept = () =>
    void client.accept(c.id, name.trim() || undefined).then(
      () => {
        onDone();
        onOpen(c.id);
      },
      () => {},
    );
  return (
    <li class="request">
      <span class="mono">{displayName(c)}</span>
      {c.offeredName && (
        <span class="hint" dir="auto">
          says they are <strong>{c.offeredName}</strong> (not verified)
        </span>
      )}
      {c.last && (
        <span class="preview" dir="auto">
          {c.last.body}
        </span>
      )}
      <label>
        Name them
        <input value={name} maxLength={64} dir="auto" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <div class="row">
        <button type="button" class="primary" onClick={accept}>
          Accept
        </button>
        <button type="button" onClick={() => void client.decline(c.id).then(onDone, () => {})}>
          Decline
        </button>
        <button type="button" class="danger" onClick={() => void client.block(c.id).then(onDone, () => {})}>
          Block
        </button>
      </div>
    </li>
  );
}
