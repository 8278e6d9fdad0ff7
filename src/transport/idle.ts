/*
 * Idle timeouts and keep-alives of every open connection, from one timer. secret-stream's own
 * (`setTimeout`, `setKeepAlive`) cost each connection two timers, about 450 bytes, and a relay holds
 * thousands of idle connections (issue 14). A connection marks what it heard and said; each sweep
 * turns those marks into times and acts on the silences, so a deadline is kept to within a period.
 */

/** What the sweep asks each watched connection to check. */
export interface IdleWatched {
  idleSweep(now: number): void;
}

const watched = new Set<IdleWatched>();
let timer: NodeJS.Timeout | null = null;
let period = Infinity;

/** The sweep period for a connection that times out after `idleMs`: half its keep-alive interval. */
export function sweepPeriod(idleMs: number): number {
  return Math.max(20, Math.floor(idleMs / 6));
}

/** Sweeps `c` every `periodMs` or more often (the shortest period asked for, while anyone is watched). */
export function watchIdle(c: IdleWatched, periodMs: number): void {
  watched.add(c);
  if (timer && periodMs >= period) return;
  if (timer) clearInterval(timer);
  period = periodMs;
  timer = setInterval(sweep, periodMs);
  timer.unref();
}

export function unwatchIdle(c: IdleWatched): void {
  if (!watched.delete(c) || watched.size > 0 || !timer) return;
  clearInterval(timer);
  timer = null;
  period = Infinity;
}

function sweep(): void {
  const now = Date.now();
  for (const c of watched) c.idleSweep(now);
}
