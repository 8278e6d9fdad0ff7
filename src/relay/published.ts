import { Republisher, DhtError, type DhtNode } from '../dht/index.js';
import { signEd25519 } from '../identity/index.js';
import { RelayDescriptor } from './descriptor.js';

/** Relay descriptors live in the DHT under the relay's own key with this salt. */
export const RELAY_SALT = 'parley/relay/1';

/** Keeps a relay's descriptor in the DHT, signed with the relay's Noise (Ed25519) key. */
export function descriptorPublisher(
  dht: Pick<DhtNode, 'putMutable'>,
  keyPair: { publicKey: Buffer; secretKey: Buffer },
  descriptor: () => RelayDescriptor,
  intervalMs?: number,
): Republisher {
  return new Republisher({
    dht,
    keyPair: { publicKey: keyPair.publicKey, sign: (m: Uint8Array) => signEd25519(m, keyPair.secretKey) },
    salt: RELAY_SALT,
    value: () => Buffer.from(JSON.stringify(descriptor())),
    ...(intervalMs ? { intervalMs } : {}),
  });
}

/** Finds a relay by its public key: the DHT record is signature-checked, then schema-checked. */
export async function lookupRelay(dht: Pick<DhtNode, 'getMutable'>, publicKey: Buffer): Promise<RelayDescriptor> {
  const { record, rejected } = await dht.getMutable(publicKey, RELAY_SALT);
  if (!record) throw rejected.length ? DhtError.REJECTED('relay descriptor', rejected) : DhtError.NOT_FOUND('relay descriptor');
  return decodeDescriptor(record.value, publicKey);
}

/** A descriptor's value bytes (JSON) for the relay of `publicKey`; BAD_SCHEMA on anything else. */
export function decodeDescriptor(value: Buffer, publicKey: Buffer): RelayDescriptor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    throw DhtError.BAD_SCHEMA('relay descriptor', 'not JSON');
  }
  const d = RelayDescriptor.safeParse(parsed);
  if (!d.success || d.data.publicKey !== publicKey.toString('base64')) throw DhtError.BAD_SCHEMA('relay descriptor', 'fields');
  return d.data;
}
