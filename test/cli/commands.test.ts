import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { COMMANDS, registerAll, registerFor } from '../../src/cli/commands/index.js';

const program = () => new Command('parley').description('Private chat').exitOverride();

describe('the CLI loads only the command it runs', () => {
  it('`parley --help` from the command list alone reads exactly as with every command module loaded', async () => {
    const light = program();
    await registerFor(light, ['--help']);
    const full = program();
    await registerAll(full);
    expect(light.helpInformation()).toBe(full.helpInformation());
    expect(COMMANDS.map((c) => c.name)).toEqual(full.commands.map((c) => c.name()));
  });

  it('a named command (or `help <command>`) gets its real definition, options and all', async () => {
    for (const argv of [
      ['send', 'x', 'y'],
      ['help', 'send'],
    ]) {
      const p = program();
      await registerFor(p, argv);
      const send = p.commands.find((c) => c.name() === 'send')!;
      expect(send.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--home', '--json']));
    }
  });
});
