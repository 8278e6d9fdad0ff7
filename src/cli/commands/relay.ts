import type { Command } from 'commander';
import { relayMain } from '../../relay/main.js';
import { registerProgram } from './program.js';

export function registerRelay(program: Command): void {
  registerProgram(program, 'relay', 'run a relay: forwards and stores only ciphertext, keeps no logs of addresses or IDs', relayMain);
}
