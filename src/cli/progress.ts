/** A transfer's progress for people: bytes, rate and time left, from samples of bytes done over time. */
export class Progress {
  readonly #samples: Array<{ at: number; bytes: number }> = [];
  constructor(
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** One line: "1.2 MiB of 3.0 MiB (40 %), 512 KiB/s, 4 s left". */
  line(bytes: number): string {
    const t = this.now();
    this.#samples.push({ at: t, bytes });
    while (this.#samples.length > 2 && t - this.#samples[0]!.at > 5_000) this.#samples.shift(); // rate over the last 5 s
    const first = this.#samples[0]!;
    const rate = t > first.at ? ((bytes - first.bytes) * 1000) / (t - first.at) : 0;
    const pct = this.total ? Math.floor((bytes * 100) / this.total) : 100;
    const left = rate > 0 ? `${formatDuration((this.total - bytes) / rate)} left` : 'time left unknown';
    return `${formatBytes(bytes)} of ${formatBytes(this.total)} (${pct} %), ${formatBytes(rate)}/s, ${left}`;
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

function formatDuration(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
