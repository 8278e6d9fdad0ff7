import { getKv, setKv, type Db } from '../store/index.js';

/**
 * "Reachable directly by strangers": only then does the intro record, which anyone can read, carry
 * the direct endpoint and transport key, so anyone who knows the ID learns the IP address. Off
 * unless the person turns it on; without it and without a relay, only contacts reach them.
 */
const KEY = 'strangers.direct';

export function reachableByStrangers(db: Db): boolean {
  return getKv(db, KEY) === '1';
}

export function setReachableByStrangers(db: Db, on: boolean): void {
  setKv(db, KEY, on ? '1' : '0');
}
