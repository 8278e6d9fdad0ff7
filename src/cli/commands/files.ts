import type { Command } from 'commander';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino from 'pino';
import { lockOwner, NodeError, type ParleyNode } from '../../node/index.js';
import { NodeFiles } from '../../node/files.js';
import type { FileView } from '../../node/files-view.js';
import { openHome } from '../../store/index.js';
import { ACTIVE_FILE_STATES, ApiClientError, FileClient, apiToken, readApiInfo, type FileInfo } from '../../api/index.js';
import { emit, formatTime } from '../output.js';
import { Progress, formatBytes } from '../progress.js';
import { CliError, positiveInt, startNode, stopNode, withHome, withJson, withNetwork, type CommonOpts, type NetOpts } from '../common.js';
import { EXIT_WAITING, contactIdOf } from './messages.js';
import { serviceFor } from '../service.js';

/** Daemon refusals become the CLI's errors with the same code. */
async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ApiClientError) throw CliError.FROM_DAEMON(err.code, err.message);
    throw CliError.DAEMON_GONE();
  }
}

/** Progress on stderr: one line rewritten on a terminal, else a line every couple of seconds. */
function reporter(total: number): (f: FileInfo) => void {
  const p = new Progress(total);
  const tty = process.stderr.isTTY;
  let last = 0;
  return (f) => {
    const text = p.line(f.bytesDone);
    const why = f.state === 'waiting' && f.reason ? ` — ${f.reason}` : '';
    if (tty) return void process.stderr.write(`\r\x1b[K${text}${why}`);
    if (Date.now() - last < 2_000 && f.bytesDone < f.size) return;
    last = Date.now();
    process.stderr.write(`${text}${why}\n`);
  };
}

function finish(json: boolean, f: FileInfo): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
  emit(json, f, () => {
    if (f.state === 'complete') return `Delivered ${f.name} (${formatBytes(f.size)}), end-to-end encrypted; SHA-256 ${f.hash}.`;
    if (ACTIVE_FILE_STATES.includes(f.state))
      return `Not finished yet (${f.reason ?? f.state}): the rest goes when you run \`parley run\` and the contact is reachable. Transfer ${f.id}.`;
    return `The file was not delivered: ${f.reason ?? f.state}.`;
  });
  if (f.state !== 'complete') process.exitCode = ACTIVE_FILE_STATES.includes(f.state) ? EXIT_WAITING : 1;
}

function describe(f: FileInfo, names: Map<string, string>): string {
  const who = names.get(f.contactId) ?? f.contactId.slice(0, 8);
  const dir = f.direction === 'out' ? `to ${who}` : `from ${who}`;
  const how = f.state === 'complete' ? 'complete' : `${f.state}, ${formatBytes(f.bytesDone)} of ${formatBytes(f.size)}${f.reason ? `: ${f.reason}` : ''}`;
  return `${f.id}  ${f.name} (${formatBytes(f.size)}) ${dir}, ${formatTime(f.createdAt)} — ${how}`;
}

export function registerFiles(program: Command): void {
  withNetwork(withJson(withHome(program.command('send-file <to> <path>'))))
    .description('send a file to a contact (end-to-end encrypted, along the route your setting for them decides), with progress')
    .option('--wait <seconds>', 'how long to stay and send before leaving the rest for `parley run`', '600')
    .option('--mime <type>', 'the media type to announce', 'application/octet-stream')
    .option('--keep-metadata', 'send an image as it is, WITH its location (GPS), time and camera or phone details: anyone who gets it can read them')
    .addHelpText(
      'after',
      `\nLocation and camera details are removed from images (JPEG, PNG, WebP, GIF): they are encoded again, upright, without EXIF, GPS, XMP, IPTC or comments, before anything is encrypted. A small preview (at most 320 px) travels with the offer. HEIC images cannot be cleaned here: convert them, or send them with --keep-metadata.\n\nExit status: 0 when the contact holds the whole file, ${EXIT_WAITING} when part of it still waits (it resumes with \`parley run\`), 1 on an error or a refusal.`,
    )
    .action(async (input: string, path: string, opts: CommonOpts & NetOpts & { wait: string; mime: string; keepMetadata?: boolean }) => {
      const wait = positiveInt('--wait', opts.wait, 600);
      const to = await contactIdOf(opts.home, input);
      if (!existsSync(path) || !statSync(path).isFile()) throw NodeError.FILE_UNREADABLE(`${path} is not a file`);
      const api = readApiInfo(opts.home);
      if (api) {
        const client = new FileClient(api.url, apiToken(opts.home));
        const name = path.split('/').pop()!;
        let f = await call(
          client.upload(to, Readable.toWeb(createReadStream(path)) as unknown as BodyInit, { name, mime: opts.mime, keepMetadata: opts.keepMetadata === true }),
        );
        const report = reporter(f.size);
        const deadline = Date.now() + wait * 1000;
        while (ACTIVE_FILE_STATES.includes(f.state) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          f = await call(client.get(f.id));
          report(f);
        }
        return finish(!!opts.json, f);
      }
      if (lockOwner(opts.home) !== null) throw CliError.BUSY(opts.home);
      const node: ParleyNode = await startNode(opts);
      try {
        const f0 = await node.files.sendPath(to, path, opts.mime, { keepMetadata: opts.keepMetadata === true });
        const report = reporter(f0.size);
        const f = await new Promise<FileView>((resolve) => {
          const timer = setTimeout(() => done(node.files.get(f0.id)), wait * 1000);
          const onFile = (v: FileView) => {
            if (v.id !== f0.id) return;
            report(v);
            if (!ACTIVE_FILE_STATES.includes(v.state)) done(v);
          };
          const done = (v: FileView) => {
            clearTimeout(timer);
            node.off('file', onFile);
            resolve(v);
          };
          node.on('file', onFile);
        });
        finish(!!opts.json, f);
      } finally {
        await stopNode(node);
      }
    });

  withJson(withHome(program.command('files [contact]')))
    .description('list files sent and received, with their progress')
    .action(async (contact: string | undefined, opts: CommonOpts) => {
      const id = contact === undefined ? undefined : await contactIdOf(opts.home, contact);
      const api = readApiInfo(opts.home);
      const rows = api ? await call(new FileClient(api.url, apiToken(opts.home)).list(id)) : withFiles(opts.home, (files) => files.list(id));
      const names = await withNames(opts.home);
      emit(!!opts.json, rows, () => (rows.length ? rows.map((f) => describe(f, names)) : 'No files yet.'));
    });

  withJson(withHome(program.command('save-file <id> <dest>')))
    .description('decrypt a received (or sent) file to DEST: a new file, or a folder to put it in under its name')
    .action(async (id: string, dest: string, opts: CommonOpts) => {
      const api = readApiInfo(opts.home);
      if (!api) {
        const path = withFiles(opts.home, (files) => files.save(id, dest));
        return emit(!!opts.json, { path }, () => `Saved to ${path}.`);
      }
      const client = new FileClient(api.url, apiToken(opts.home));
      const f = await call(client.get(id));
      const target = existsSync(dest) && statSync(dest).isDirectory() ? join(dest, f.name) : dest;
      if (existsSync(target)) throw NodeError.FILE_EXISTS(target);
      const res = await call(client.download(id));
      const tmp = `${target}.parley-part`;
      try {
        await pipeline(Readable.fromWeb(res.body! as never), createWriteStream(tmp, { mode: 0o600 }) as Writable);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
      renameSync(tmp, target);
      emit(!!opts.json, { path: target }, () => `Saved to ${target}.`);
    });

  withJson(withHome(program.command('delete-file <id>')))
    .description('delete a file from this device (its bytes, preview and record); with --everyone, a file you sent from theirs too')
    .option('--everyone', 'also ask the contact to delete their copy (only for a file you sent)')
    .action(async (id: string, opts: CommonOpts & { everyone?: boolean }) => {
      const api = readApiInfo(opts.home);
      const everyone = opts.everyone === true;
      if (api) await call(new FileClient(api.url, apiToken(opts.home)).delete(id, everyone));
      else withFiles(opts.home, (files) => files.delete(id, everyone)); // a delete for everyone goes when Parley next runs
      const told = api ? 'the contact is asked to delete their copy' : 'the contact is asked to delete their copy when Parley next runs';
      emit(!!opts.json, { deleted: id }, () => (everyone ? `Deleted here; ${told}.` : 'Deleted from this device.'));
    });

  withJson(withHome(program.command('cancel-file <id>')))
    .description('stop sending or receiving a file; the other side is told')
    .action(async (id: string, opts: CommonOpts) => {
      const api = readApiInfo(opts.home);
      const f = api ? await call(new FileClient(api.url, apiToken(opts.home)).cancel(id)) : withFiles(opts.home, (files) => files.cancel(id));
      emit(!!opts.json, f, () => `${f.name}: ${f.state}${f.reason ? ` (${f.reason})` : ''}.`);
    });
}

/** The files of a home no daemon serves, read from its store. */
function withFiles<T>(home: string, fn: (files: NodeFiles) => T): T {
  const { db, identity } = openHome(home);
  try {
    return fn(new NodeFiles({ db, home, selfId: identity.id, now: Date.now, logger: pino({ level: 'silent' }), router: () => null, emit: () => {} }));
  } finally {
    db.close();
  }
}

async function withNames(home: string): Promise<Map<string, string>> {
  const contacts = await serviceFor(home)
    .contacts()
    .catch(() => []);
  return new Map(contacts.map((c) => [c.id, c.name ?? c.id.slice(0, 8)]));
}
