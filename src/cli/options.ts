import type { Command } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';

/* The options every command shares, in a module that loads nothing else (light commands use it). */

export interface CommonOpts {
  home: string;
  json?: boolean;
}

export const defaultHome = () => process.env.PARLEY_HOME ?? join(homedir(), '.parley', 'default');

export function withHome(cmd: Command): Command {
  return cmd.option('--home <dir>', 'folder holding your identity and messages (env PARLEY_HOME)', defaultHome());
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print data as JSON');
}
