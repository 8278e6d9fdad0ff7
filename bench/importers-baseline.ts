/**
 * The vCard line unfolding as it was before it became linear (commit 1cd3eff), kept only as the
 * baseline bench/importers.ts measures beside the current parser. Never used by Parley itself.
 */
export function oldUnfold(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/=\n/g, (m, offset: number, s: string) => (isQpLine(s, offset) ? '' : m))
    .replace(/\n[ \t]/g, '')
    .split('\n');
}

function isQpLine(s: string, offset: number): boolean {
  const start = s.lastIndexOf('\n', offset) + 1;
  return /QUOTED-PRINTABLE/i.test(s.slice(start, s.indexOf(':', start) >>> 0));
}
