import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CliError } from './common.js';

export interface PassOpts {
  passphrase?: boolean;
  passphraseFile?: string;
}

/** `--passphrase` (asked on the terminal, or read from standard input) and `--passphrase-file`: never the passphrase itself as an argument, which `ps` would show. */
export function withPassphrase(cmd: Command, what: string): Command {
  return cmd
    .option('--passphrase', `${what}: asked on the terminal (hidden), or read as one line from standard input`)
    .addOption(new Option('--passphrase-file <path>', `${what}: read from the first line of this file`));
}

export const wantsPassphrase = (opts: PassOpts): boolean => !!opts.passphrase || opts.passphraseFile !== undefined;

let stdinLines: string[] | null = null;

/**
 * One passphrase: from the file if given, else a hidden prompt on a terminal, else the next line of
 * standard input (scripts pipe one line per passphrase asked, in order).
 */
export async function readPassphrase(prompt: string, file?: string): Promise<string> {
  let text: string;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch {
      throw CliError.PASSPHRASE(`could not read the passphrase file ${file}`);
    }
  } else if (process.stdin.isTTY) {
    text = await promptHidden(prompt);
  } else {
    stdinLines ??= readFileSync(0, 'utf8').split(/\r?\n/);
    text = stdinLines.shift() ?? '';
  }
  if (text.length === 0) throw CliError.PASSPHRASE('no passphrase was given');
  return text;
}

/** A new passphrase: at least 8 characters, typed twice on a terminal. */
export async function readNewPassphrase(file?: string): Promise<string> {
  const pass = await readPassphrase('New passphrase: ', file);
  if (pass.length < 8) throw CliError.PASSPHRASE('a passphrase needs at least 8 characters');
  if (pass.length > 1024) throw CliError.PASSPHRASE('a passphrase has at most 1024 characters');
  if (file === undefined && process.stdin.isTTY && (await promptHidden('Again: ')) !== pass) throw CliError.PASSPHRASE('the two passphrases differ');
  return pass;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const done = (err: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(CliError.PASSPHRASE('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
