import { useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { State } from '../api/schema.js';
import { errorText } from './errors.js';
import { SignupSteps, WHO_FINDS_YOU, type Kind } from './signup.js';

export function Onboarding({ client, attestor, onDone }: { client: ApiClient; attestor: string | null; onDone: (s: State) => void }) {
  const [mode, setMode] = useState<'incognito' | Kind>('incognito');
  const [created, setCreated] = useState<State | null>(null);
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
      const state = await client.onboard({ mode: 'incognito', name: name.trim(), ...(pass ? { passphrase: pass } : {}) });
      if (mode === 'incognito') onDone(state);
      else setCreated(state); // keys made; now prove the address or number
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  if (created && mode !== 'incognito') {
    return (
      <main class="center">
        <div class="card onboarding">
          <h1>Your keys are ready</h1>
          <p>{WHO_FINDS_YOU[mode]}</p>
          <SignupSteps client={client} kind={mode} onDone={() => onDone(created)} onSkip={() => onDone(created)} />
        </div>
      </main>
    );
  }
  return (
    <main class="center">
      <form class="card onboarding" onSubmit={(e) => void submit(e)}>
        <h1>Welcome to Parley</h1>
        <p>Private conversations, device to device, end-to-end encrypted. No company in the middle keeps a list of who you talk to.</p>
        <fieldset>
          <legend>How people find you</legend>
          {(['incognito', 'email', 'phone'] as const).map((m) => (
            <label class="choice" key={m}>
              <input type="radio" name="mode" value={m} checked={mode === m} disabled={m !== 'incognito' && !attestor} onChange={() => setMode(m)} />
              <span>
                <strong>{m === 'incognito' ? 'Incognito' : m === 'email' ? 'With my email address' : 'With my phone number'}</strong>
                <br />
                <span class="hint">{WHO_FINDS_YOU[m]}</span>
              </span>
            </label>
          ))}
          {!attestor && <p class="hint">Email and phone sign-up need an attestor; this Parley was started without one.</p>}
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
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || !name.trim()}>
          {busy ? 'Creating your keys…' : 'Create my identity'}
        </button>
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
      <form class="card" onSubmit={(e) => void submit(e)}>
        <h1>Unlock Parley</h1>
        <label>
          Passphrase
          <input type="password" value={pass} onInput={(e) => setPass(e.currentTarget.value)} autoFocus autoComplete="current-password" />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || !pass}>
          Unlock
        </button>
      </form>
    </main>
  );
}
