/**
 * The part of a pino logger the relay uses. Relay logs carry counters and reason codes only: never
 * an address, a mailbox or blob id, a key, or payload bytes.
 */
export interface RelayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const nothing = () => {};
export const silentLogger: RelayLogger = { info: nothing, warn: nothing, debug: nothing };
