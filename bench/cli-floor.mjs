// The floor under `parley run`'s start (bench `cli`): the packages it needs before its ready line,
// loaded from node_modules and used the way it uses them — a SQLite file opened in WAL mode, a
// libsignal key, sodium, a zod schema, a silent pino logger, a commander program, fastify with
// @fastify/websocket listening on 127.0.0.1 — and nothing of Parley's own code. Plain JavaScript run
// by node itself, so no TypeScript loader sits in the figure. Argument: a directory for the database.
// Prints `listening` once the server listens, then idles like `parley run` until killed.
import { join } from 'node:path';
import { PrivateKey } from '@signalapp/libsignal-client';
import Database from 'better-sqlite3-multiple-ciphers';
import sodium from 'sodium-native';
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import { z } from 'zod';
import pino from 'pino';
import { Command } from 'commander';

const dir = new Command().argument('<dir>').parse(process.argv).args[0];
const logger = pino({ level: 'silent' });
const db = new Database(join(dir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.prepare('SELECT count(*) FROM sqlite_schema').get();
const key = Buffer.alloc(32);
sodium.randombytes_buf(key);
PrivateKey.generate();
z.object({ name: z.string().max(64) }).parse({ name: 'floor' });
const app = Fastify({ logger: false });
await app.register(websocket);
app.get('/api/events', { websocket: true }, () => {});
await app.listen({ host: '127.0.0.1', port: 0 });
logger.info('listening');
console.log('listening');
