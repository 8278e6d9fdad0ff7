#!/usr/bin/env node
// Makes this machine able to run every test, before `npm test` runs them: the web UI tests need
// Debian's Chromium and Firefox ESR (playwright-core and puppeteer-core never download a browser),
// the NAT tests need iptables and iproute2 for their network namespaces. What is missing is installed
// with apt-get when we are root and apt-get exists; otherwise this stops at once with one sentence
// naming the command to run. Nothing else is touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the tests need: a file that proves it is there, and the Debian package that provides it. */
const NEEDED = [
  { what: 'Chromium (web UI tests)', file: '/usr/bin/chromium', pkg: 'chromium' },
  { what: 'Firefox ESR (web UI tests)', file: '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
  { what: 'iptables (NAT tests)', file: ['/usr/sbin/iptables', '/sbin/iptables', '/usr/bin/iptables'], pkg: 'iptables' },
  { what: 'ip (network namespaces)', file: ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'], pkg: 'iproute2' },
  { what: 'strace (the fsyncs of a round trip)', file: ['/usr/bin/strace', '/bin/strace'], pkg: 'strace' },
];

const present = (file) => (Array.isArray(file) ? file : [file]).some((f) => existsSync(f));
const missing = NEEDED.filter((n) => !present(n.file));
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((m) => m.pkg);
const command = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

if (!hasApt || !isRoot) {
  const how = hasApt ? `sudo sh -c '${command}'` : `install ${pkgs.join(', ')} with your system's package manager`;
  console.error(`test set-up: ${missing.map((m) => m.what).join(', ')} missing; run \`${how}\`, then \`npm test\` again.`);
  process.exit(1);
}

console.error(`test set-up: installing ${pkgs.join(' ')} with apt-get (once per machine, about a minute)…`);
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
} catch {
  console.error(`test set-up: apt-get could not install ${pkgs.join(' ')}; run \`${command}\` to see why, then \`npm test\` again.`);
  process.exit(1);
}
const still = missing.filter((m) => !present(m.file));
if (still.length > 0) {
  console.error(`test set-up: ${still.map((m) => m.what).join(', ')} still missing after apt-get; run \`${command}\` to see why.`);
  process.exit(1);
}
console.error('test set-up: done.');
