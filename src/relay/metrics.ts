/** Counts by a short reason or type code; codes are from a closed set, never user data. */
export type Counts = Record<string, number>;

/** What an operator sees: counters and gauges only, nothing that identifies anyone. */
export interface RelayMetricsSnapshot {
  connections: { accepted: number; open: number };
  /** Frames received and sent, by frame type. */
  framesIn: Counts;
  framesOut: Counts;
  /** Error frames sent, by code. */
  errors: Counts;
  /** Connections ended, by reason (including those that never completed a handshake). */
  disconnects: Counts;
  /** Things refused or thrown away, by reason (quota, rate, queue full, expiry, ...). */
  drops: Counts;
  stored: { mailboxes: number; items: number; bytes: number; blobs: number; blobBytes: number };
  circuits: { opened: number; open: number };
}

/** Read from the stores and tables at snapshot time. */
export type Gauges = Pick<RelayMetricsSnapshot, 'stored' | 'circuits'> & { connectionsOpen: number };

export class RelayMetrics {
  accepted = 0;
  readonly framesIn: Counts = {};
  readonly framesOut: Counts = {};
  readonly errors: Counts = {};
  readonly disconnects: Counts = {};
  readonly drops: Counts = {};

  count(table: Counts, key: string, n = 1): void {
    table[key] = (table[key] ?? 0) + n;
  }

  snapshot(g: Gauges): RelayMetricsSnapshot {
    return {
      connections: { accepted: this.accepted, open: g.connectionsOpen },
      framesIn: { ...this.framesIn },
      framesOut: { ...this.framesOut },
      errors: { ...this.errors },
      disconnects: { ...this.disconnects },
      drops: { ...this.drops },
      stored: { ...g.stored },
      circuits: { ...g.circuits },
    };
  }
}

/** The Prometheus text exposition of a snapshot. */
export function prometheusText(m: RelayMetricsSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, rows: [string, number][]) => {
    out.push(`# HELP parley_relay_${name} ${help}`, `# TYPE parley_relay_${name} ${type}`);
    for (const [labels, value] of rows) out.push(`parley_relay_${name}${labels} ${value}`);
  };
  const by = (label: string, counts: Counts): [string, number][] =>
    Object.entries(counts).map(([k, n]) => [`{${label}="${k.replace(/[^A-Za-z0-9_-]/g, '_')}"}`, n]);
  metric('connections_accepted_total', 'counter', 'Connections that completed the Noise handshake.', [['', m.connections.accepted]]);
  metric('connections_open', 'gauge', 'Connections open now.', [['', m.connections.open]]);
  metric('frames_in_total', 'counter', 'Frames received, by type.', by('type', m.framesIn));
  metric('frames_out_total', 'counter', 'Frames sent, by type.', by('type', m.framesOut));
  metric('errors_total', 'counter', 'Error frames sent, by code.', by('code', m.errors));
  metric('disconnects_total', 'counter', 'Connections ended, by reason.', by('reason', m.disconnects));
  metric('drops_total', 'counter', 'Requests refused or data discarded, by reason.', by('reason', m.drops));
  metric('mailboxes', 'gauge', 'Mailboxes registered.', [['', m.stored.mailboxes]]);
  metric('stored_items', 'gauge', 'Mail items stored.', [['', m.stored.items]]);
  metric('stored_bytes', 'gauge', 'Mail bytes stored.', [['', m.stored.bytes]]);
  metric('blobs', 'gauge', 'Blobs stored.', [['', m.stored.blobs]]);
  metric('blob_bytes', 'gauge', 'Blob bytes stored.', [['', m.stored.blobBytes]]);
  metric('circuits_opened_total', 'counter', 'Circuits opened.', [['', m.circuits.opened]]);
  metric('circuits_open', 'gauge', 'Circuits open now.', [['', m.circuits.open]]);
  return out.join('\n') + '\n';
}
