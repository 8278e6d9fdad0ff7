import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client.js';
import type { Attestation, ImportResult, Match } from '../api/schema.js';
import { Dialog } from './dialog.js';
import { errorText } from './errors.js';

export type Kind = 'email' | 'phone';

export const WHO_FINDS_YOU: Record<'incognito' | Kind, string> = {
  incognito: 'No email, no phone number, nothing personal. Only people you give your Parley ID to can find you.',
  email:
    'Friends who have your email address can find you and send you a contact request. The attestor emails you a code to check the address is yours, then forgets it; the network keeps only a keyed hash that cannot be reversed by trying addresses.',
  phone:
    'Friends who have your number in their contacts can find you and send you a contact request. The attestor texts you a code to check the number is yours, then forgets it; the network keeps only a keyed hash that cannot be reversed by trying numbers.',
};

/** Address or number, then the six-digit code. Calls `onDone` once the attestation is published. */
export function SignupSteps({ client, kind, onDone, onSkip }: { client: ApiClient; kind: Kind; onDone: (a: Attestation[]) => void; onSkip?: () => void }) {
  const [identifier, setIdentifier] = useState('');
  const [region, setRegion] = useState('');
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const label = kind === 'email' ? 'Email address' : 'Phone number';
  return (
    <div class="signup-steps">
      {!sent ? (
        <form
          onSubmit={(e) => (
            e.preventDefault(),
            void act(async () => {
              await client.signupStart({ kind, identifier: identifier.trim(), ...(region.trim() ? { region: region.trim().toUpperCase() } : {}) });
              setSent(true);
            })
          )}
        >
          <label>
            {label}
            <input
              name="identifier"
              type={kind === 'email' ? 'email' : 'tel'}
              required
              value={identifier}
              onInput={(e) => setIdentifier(e.currentTarget.value)}
              autoFocus
              autoComplete={kind === 'email' ? 'email' : 'tel'}
            />
          </label>
          {kind === 'phone' && (
            <label>
              Country <span class="hint">(two letters, for a number written without +; e.g. CH)</span>
              <input name="region" maxLength={2} value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
            </label>
          )}
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
          <div class="row">
            <button type="submit" class="primary" disabled={busy || !identifier.trim()}>
              {busy ? 'Sending…' : 'Send me a code'}
            </button>
            {onSkip && (
              <button type="button" onClick={onSkip}>
                Skip: stay incognito
              </button>
            )}
          </div>
        </form>
      ) : (
        <form onSubmit={(e) => (e.preventDefault(), void act(async () => onDone(await client.signupVerify(code.trim()))))}>
          <p>We sent a six-digit code {kind === 'email' ? 'by email' : 'by text message'}. It is valid for a few minutes.</p>
          <label>
            Code
            <input
              name="code"
              inputMode="numeric"
              pattern="\d{6}"
              maxLength={6}
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
              autoFocus
              autoComplete="one-time-code"
            />
          </label>
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
          <div class="row">
            <button type="submit" class="primary" disabled={busy || code.trim().length !== 6}>
              {busy ? 'Checking…' : 'Confirm'}
            </button>
            <button type="button" onClick={() => (setSent(false), setCode(''))}>
              Change {kind === 'email' ? 'address' : 'number'}
            </button>
            {onSkip && (
              <button type="button" onClick={onSkip}>
                Skip: stay incognito
              </button>
            )}
          </div>
        </form>
      )}
    </div>
  );
}

/** In "My ID": how people can find you, with unlink and add. */
export function FindableBy({ client, attestor }: { client: ApiClient; attestor: string | null }) {
  const [list, setList] = useState<Attestation[] | null>(null);
  const [adding, setAdding] = useState<Kind | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void client.signupStatus().then(setList, (e: unknown) => setError(errorText(e))), []);
  const active = (list ?? []).filter((a) => a.state === 'active');
  return (
    <section aria-label="How people find you">
      <h3>How people find you</h3>
      {active.length === 0 ? (
        <p>{WHO_FINDS_YOU.incognito}</p>
      ) : (
        <ul class="plain-list">
          {active.map((a) => (
            <li key={a.kind}>
              By your {a.kind === 'email' ? 'email address' : 'phone number'} (until {new Date(a.expiresAt * 1000).toLocaleDateString()}){' '}
              <button type="button" onClick={() => void client.unlink(a.kind).then(setList, (e: unknown) => setError(errorText(e)))}>
                Unlink
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {attestor && !adding && (
        <div class="row">
          {!active.some((a) => a.kind === 'email') && (
            <button type="button" onClick={() => setAdding('email')}>
              Let friends find me by email
            </button>
          )}
          {!active.some((a) => a.kind === 'phone') && (
            <button type="button" onClick={() => setAdding('phone')}>
              … by phone number
            </button>
          )}
        </div>
      )}
      {adding && (
        <>
          <p class="hint">{WHO_FINDS_YOU[adding]}</p>
          <SignupSteps client={client} kind={adding} onDone={(l) => (setList(l), setAdding(null))} onSkip={() => setAdding(null)} />
        </>
      )}
    </section>
  );
}

/** Find one person by email/number, or import a vCard/CSV file and see who is on Parley. */
export function FindFriends({ client, onClose, onAdded }: { client: ApiClient; onClose: () => void; onAdded: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [region, setRegion] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const [single, setSingle] = useState<Match | null | undefined>(undefined);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<Set<string>>(new Set());
  const opts = () => (region.trim() ? { region: region.trim().toUpperCase() } : {});

  const find = async (e: Event) => {
    e.preventDefault();
    setBusy('Looking…');
    setError(null);
    try {
      setSingle((await client.find(q.trim(), opts().region)).match);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const importFile = async (file: File) => {
    setBusy(`Checking the contacts in ${file.name}…`);
    setError(null);
    try {
      const text = await file.text();
      const format = /\.csv$/i.test(file.name) ? 'csv' : /\.vcf$/i.test(file.name) ? 'vcf' : undefined;
      setResult(await client.importContacts({ text, ...(format ? { format } : {}), ...opts() }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const add = async (m: Match) => {
    try {
      await client.addContact({ id: m.id, ...(m.name ? { name: m.name.slice(0, 64) } : {}) });
      setAdded((s) => new Set(s).add(m.id));
      onAdded(m.id);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const row = (m: Match) => (
    <li key={m.id + m.identifier}>
      <span>
        <strong>{m.name || m.identifier}</strong>
        {m.name && <span class="hint"> · {m.identifier}</span>}
      </span>
      {m.known || added.has(m.id) ? (
        <span class="hint">in your contacts</span>
      ) : (
        <button type="button" class="primary" onClick={() => void add(m)}>
          Add {m.name ? m.name.split(' ')[0] : ''}
        </button>
      )}
    </li>
  );
  return (
    <Dialog title="Find friends" onClose={onClose}>
      <p class="hint">
        The attestor gets only blinded values, so it cannot tell which addresses or numbers you look up; the DHT is asked for keyed hashes only; your address
        book is neither uploaded nor kept.
      </p>
      <form class="row" onSubmit={(e) => void find(e)}>
        <label class="grow">
          Email address or phone number
          <input name="find" required value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={!q.trim() || !!busy}>
          Find
        </button>
      </form>
      {single === null && <p role="status">Nobody is on Parley under that {q.includes('@') ? 'address' : 'number'} (or they chose to stay incognito).</p>}
      {single && (
        <ul class="matches" aria-label="Found">
          {row(single)}
        </ul>
      )}
      <label>
        Or import your contacts (vCard .vcf or CSV)
        <input
          name="contacts-file"
          type="file"
          accept=".vcf,.csv,text/vcard,text/csv"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) void importFile(f);
          }}
        />
      </label>
      <label>
        Country for numbers without + <span class="hint">(optional, e.g. CH)</span>
        <input name="find-region" maxLength={2} value={region} onInput={(e) => setRegion(e.currentTarget.value)} />
      </label>
      {busy && <p role="status">{busy}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {result && (
        <section aria-label="Import result">
          <p role="status">
            {result.cards} contacts, {result.checked} addresses and numbers checked: <strong>{result.matches.length} on Parley</strong>
            {result.invalid > 0 && `; ${result.invalid} ${result.invalid === 1 ? 'entry was' : 'entries were'} not a valid address or number`}.
          </p>
          <ul class="matches" aria-label="On Parley">
            {result.matches.map(row)}
          </ul>
        </section>
      )}
    </Dialog>
  );
}
