/**
 * Deterministic chat-like message bodies for the search bench: words drawn from a 5,000-word
 * vocabulary with a Zipf distribution (as natural text), 4–30 words each, plus marker words of
 * known frequency: `zanzibar` in 1 message of 10,000, `harbour` in 1 of 100.
 */
const VOCAB = 5000;
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'fu', 'go', 'hi', 'ja', 'pe', 'zu'];

function word(i: number): string {
  let w = '';
  for (let n = i + 16; n > 0; n = Math.floor(n / 16)) w += SYLLABLES[n % 16]!;
  return w;
}

/** A small fast PRNG (mulberry32), seeded per message so any body can be rebuilt alone. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(1) over VOCAB by inverse transform on the harmonic numbers' approximation. */
function zipf(r: number): number {
  return Math.min(VOCAB - 1, Math.floor(Math.exp(r * Math.log(VOCAB + 1))) - 1);
}

export const RARE = 'zanzibar';
export const MEDIUM = 'harbour';
/** The most frequent vocabulary word (in most messages). */
export const COMMON = word(0);

export function messageBody(k: number): string {
  const r = rng(k * 2654435761);
  const n = 4 + Math.floor(r() * 27);
  const words = Array.from({ length: n }, () => word(zipf(r())));
  if (k % 10_000 === 7) words.splice(Math.floor(r() * n), 0, RARE);
  if (k % 100 === 3) words.splice(Math.floor(r() * n), 0, MEDIUM);
  return words.join(' ');
}
