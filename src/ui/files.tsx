import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiEvent } from '../api/schema.js';
import { ACTIVE_FILE_STATES, type FileInfo } from '../api/file-schema.js';
import { FileClient } from '../api/file-client.js';
import { errorText } from './errors.js';

const STATE_LABEL: Record<FileInfo['state'], string> = {
  preparing: 'Encrypting…',
  offering: 'Offered, waiting for an answer',
  sending: 'Sending',
  waiting: 'Waiting',
  receiving: 'Receiving',
  complete: 'Complete',
  cancelled: 'Cancelled',
  refused: 'Refused',
  failed: 'Failed',
};

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

/** The API's file routes with this tab's token (the same one the rest of the UI uses). */
function fileClient(): FileClient {
  return new FileClient('', sessionStorage.getItem('parley.token') ?? '');
}

/**
 * An image's thumbnail, made by its sender and checked (a WebP under 16 KiB) when it arrived: fetched
 * with the token and drawn from a data: URL in an <img>, the only thing the page does with it.
 */
function Thumbnail({ client, file }: { client: FileClient; file: FileInfo }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    client.thumbnail(file.id).then(
      (blob) => {
        if (blob.type !== 'image/webp') return;
        const r = new FileReader();
        r.onload = () => live && typeof r.result === 'string' && setSrc(r.result);
        r.readAsDataURL(blob);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [file.id]);
  return src ? <img class="file-thumb" src={src} alt={`Preview of ${file.name}`} width={96} /> : null;
}

/** Bytes per second of a transfer, from the progress seen in the last few seconds. */
function useRates() {
  const seen = useRef(new Map<string, Array<{ at: number; bytes: number }>>());
  return (f: FileInfo): number => {
    const list = seen.current.get(f.id) ?? [];
    const now = Date.now();
    if (list.at(-1)?.bytes !== f.bytesDone) list.push({ at: now, bytes: f.bytesDone });
    while (list.length > 2 && now - list[0]!.at > 5_000) list.shift();
    seen.current.set(f.id, list);
    const first = list[0]!;
    const last = list.at(-1)!;
    return last.at > first.at ? ((last.bytes - first.bytes) * 1000) / (last.at - first.at) : 0;
  };
}

/**
 * Files in one conversation: an attach button (the file is streamed to Parley, which encrypts it
 * chunk by chunk and sends it along this contact's route), and each transfer with a progress bar,
 * its rate and time left, why it waits, cancel, and a download once it is whole.
 */
export function FilesPanel({ contactId, name, lastEvent }: { contactId: string; name: string; lastEvent: ApiEvent | null }) {
  const [files, setFiles] = useState<FileInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const rate = useRates();
  const client = useRef(fileClient()).current;

  useEffect(() => {
    client.list(contactId).then(setFiles, (e: unknown) => setError(errorText(e)));
  }, [contactId]);
  const [keepMetadata, setKeepMetadata] = useState(false);
  useEffect(() => {
    if (lastEvent?.type === 'file-removed' && lastEvent.contactId === contactId) {
      const gone = new Set(lastEvent.ids);
      return void setFiles((fs) => fs.filter((x) => !gone.has(x.id)));
    }
    if (lastEvent?.type !== 'file' || lastEvent.file.contactId !== contactId) return;
    const f = lastEvent.file;
    setFiles((fs) => (fs.some((x) => x.id === f.id) ? fs.map((x) => (x.id === f.id ? f : x)) : [f, ...fs]));
  }, [lastEvent]);

  const attach = async (file: File) => {
    setError(null);
    try {
      const f = await client.upload(contactId, file, { name: file.name, mime: file.type || 'application/octet-stream', keepMetadata });
      setFiles((fs) => (fs.some((x) => x.id === f.id) ? fs : [f, ...fs]));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const remove = (f: FileInfo, everyone: boolean) =>
    void client.delete(f.id, everyone).then(
      () => setFiles((fs) => fs.filter((x) => x.id !== f.id)),
      (e: unknown) => setError(errorText(e)),
    );
  const download = async (f: FileInfo) => {
    try {
      const blob = await (await client.download(f.id)).blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = f.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section class="files" aria-label={`Files with ${name}`}>
      {files.length > 0 && (
        <ul class="file-list">
          {files.map((f) => {
            const active = ACTIVE_FILE_STATES.includes(f.state);
            const r = active ? rate(f) : 0;
            const left = r > 0 ? `, ${Math.ceil((f.size - f.bytesDone) / r)} s left` : '';
            return (
              <li key={f.id} class={`file ${f.state}`} data-file-id={f.id}>
                {f.thumbnail && <Thumbnail client={client} file={f} />}
                <span class="file-name" dir="auto">
                  {f.direction === 'out' ? '↑' : '↓'} {f.name}
                </span>{' '}
                <span class="hint">{formatBytes(f.size)}</span>
                {f.metadata === 'kept' && <span class="warning">sent with its location and camera details</span>}
                {f.expiresAt !== null && <span class="hint">disappears {new Date(f.expiresAt).toLocaleString()}</span>}
                {active && <progress max={f.size || 1} value={f.bytesDone} aria-label={`${f.name}: ${Math.floor((f.bytesDone * 100) / (f.size || 1))} %`} />}
                <span class="file-state" role="status">
                  {STATE_LABEL[f.state]}
                  {active && f.state !== 'preparing' && ` ${formatBytes(f.bytesDone)} of ${formatBytes(f.size)}${r > 0 ? `, ${formatBytes(r)}/s${left}` : ''}`}
                  {f.reason && `: ${f.reason}`}
                </span>
                {active && (
                  <button
                    type="button"
                    onClick={() =>
                      void client.cancel(f.id).then(
                        (v) => setFiles((fs) => fs.map((x) => (x.id === v.id ? v : x))),
                        (e: unknown) => setError(errorText(e)),
                      )
                    }
                  >
                    Cancel
                  </button>
                )}
                {(f.state === 'complete' || (f.direction === 'out' && active && f.state !== 'preparing')) && (
                  <button type="button" onClick={() => void download(f)}>
                    Download
                  </button>
                )}
                <button type="button" onClick={() => remove(f, false)}>
                  Delete for me
                </button>
                {f.direction === 'out' && (
                  <button type="button" onClick={() => remove(f, true)}>
                    Delete for everyone
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="attach-row">
        <label class="attach">
          <input
            ref={input}
            type="file"
            class="sr-only"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) void attach(file);
              e.currentTarget.value = '';
            }}
          />
          <span class="button">Attach a file</span>
        </label>
        <span class="hint" id="image-privacy">
          End-to-end encrypted, along the same route as your messages.
          {!keepMetadata && ' Location and camera details are removed from images.'}
        </span>
      </div>
      <label class="keep-metadata hint">
        <input type="checkbox" checked={keepMetadata} onChange={(e) => setKeepMetadata(e.currentTarget.checked)} aria-describedby="image-privacy" />
        Keep location and camera details (send images as they are)
      </label>
      {keepMetadata && (
        <p class="warning" role="status">
          Images go as they are: whoever gets them can read where they were taken (GPS), when, and with which camera or phone.
        </p>
      )}
    </section>
  );
}
