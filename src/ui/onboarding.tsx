import { useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { State } from '../api/schema.js';
import { errorText } from './errors.js';

export function Onboarding({ client, onDone }: { client: ApiClient; onDone: (s: State) => void }) {
  const [name, setName] = useState('');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (pass && pass !== pass2) return setError('The two passphrases differ.');
    setBusy(true);
    setError(null);
    try {
      onDone(await client.onboard({ mode: 'incognito', name: name.trim(), ...(pass ? { passphrase: pass } : {}) }));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main class="center">
      <form class="card onboarding" onSubmit={submit}>
        <h1>Welcome to Parley</h1>
        <p>Private conversations, device to device, end-to-end encrypted. No company in the middle keeps a list of who you talk to.</p>
        <fieldset>
          <legend>How people find you</legend>
          <label class="choice">
            <input type="radio" name="mode" value="incognito" checked />
            <span>
              <strong>Incognito</strong>: no email, no phone number, nothing personal. Only people you give your Parley ID to can find you.
            </span>
          </label>
          <p class="hint">Signing up with an email address or phone number, so friends who have it can find you, comes with its own step later.</p>
        </fieldset>
        <label>
          Display name <span class="hint">(shown only on this device)</span>
          <input name="name" required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus />
        </label>
        <label>
          Passphrase <span class="hint">(optional; protects your keys on this device, at least 8 characters)</span>
          <input name="passphrase" type="password" minLength={8} value={pass} onInput={(e) => setPass(e.currentTarget.value)} autoComplete="new-password" />
        </label>
        {pass && (
          <label>
            Passphrase again
            <input name="passphrase2" type="password" value={pass2} onInput={(e) => setPass2(e.currentTarget.value)} autoComplete="new-password" />
          </label>
        )}
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary" disabled={busy || !name.trim()}>{busy ? 'Creating your keys…' : 'Create my identity'}</button>
      </form>
    </main>
  );
}

export function Unlock({ client, onDone }: { client: ApiClient; onDone: (s: State) => void }) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      onDone(await client.unlock(pass));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <main class="center">
      <form class="card" onSubmit={submit}>
        <h1>Unlock Parley</h1>
        <label>
          Passphrase
          <input type="password" value={pass} onInput={(e) => setPass(e.currentTarget.value)} autoFocus autoComplete="current-password" />
        </label>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" class="primary" disabled={busy || !pass}>Unlock</button>
      </form>
    </main>
  );
}
