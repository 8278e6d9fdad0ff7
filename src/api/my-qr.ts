import type QRCode from 'qrcode';
import { createRequire } from 'node:module';
import { ApiError } from './errors.js';

/*
 * The QR code of my `parley:` link, drawn at its first read (the web UI's first look at the state)
 * rather than on the way to `parley run`'s ready line: loading qrcode and drawing the code took
 * ~25 ms of that path. Synchronous, so a State stays a plain value whoever reads it first; kept for
 * the last link drawn (a daemon has one).
 */

const load = createRequire(import.meta.url);
let drawn: { link: string; svg: string } | null = null;

export function myQrSvg(link: string): string {
  if (drawn?.link !== link) drawn = { link, svg: draw(link) };
  return drawn.svg;
}

function draw(link: string): string {
  const qrcode = load('qrcode') as typeof QRCode;
  let svg: string | undefined;
  let failure: Error | null | undefined;
  // With a callback, qrcode draws an SVG at once and calls back before it returns.
  qrcode.toString(link, { type: 'svg', margin: 1 }, (err, s) => ((failure = err), (svg = s)));
  if (svg === undefined) throw failure ?? ApiError.INTERNAL();
  return svg;
}
