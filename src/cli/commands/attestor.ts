import type { Command } from 'commander';
import { attestorMain } from '../../attestor/main.js';
import { registerProgram } from './program.js';

export function registerAttestor(program: Command): void {
  registerProgram(
    program,
    'attestor',
    'run an attestor: proves control of an email address or phone number and signs attestations; keeps no list of who signed up',
    attestorMain,
  );
}
