/** `host:port` strings: bootstrap entries and published endpoints. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A hostname, an IPv4 address, or a bracketed IPv6 address, then a port 1-65535. */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

export function parseHostPort(s: string): HostPort | null {
  const m = HOST_PORT.exec(s);
  if (!m || s.length > 255) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!, port };
}

export function isHostPort(s: string): boolean {
  return parseHostPort(s) !== null;
}

export function formatHostPort({ host, port }: HostPort): string {
  return `${host}:${port}`;
}
