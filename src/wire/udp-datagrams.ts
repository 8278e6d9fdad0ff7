/**
 * The few UDP datagrams Parley sends outside a UDX stream: asking a relay which address and port
 * it sees (like STUN), and the probes two people send each other to open their NATs.
 *
 * Protocol flow:
 *   client → relay  ClientToRelayReflect   "where do you see me?"
 *   relay → client  RelayToClientReflected the source address:port the relay observed
 *   peer ↔ peer     PeerToPeerPunch        sent to every candidate of the other side, both at once
 *   peer ↔ peer     PeerToPeerPunchAck     answer to a punch: "this path works"
 *   client → relay  ClientToRelayIdentify  "which Noise key do you hold?" (found by address in the DHT)
 *   relay → client  RelayToClientIdentity  the relay's static Noise key: a hint, checked against its
 *                                          signed descriptor and by a Noise handshake before any use
 *
 * Every datagram: magic "PRLU" (4) | version (1) | type (1) | body. Bodies:
 *   REFLECT    (1): txid (8)
 *   REFLECTED  (2): txid (8) | IPv4 address (4) | port (2, big-endian)
 *   PUNCH      (3): punch id (16, agreed through the end-to-end channel)
 *   PUNCH_ACK  (4): punch id (16)
 *   IDENTIFY   (5): txid (8) | zeros (32: the request is as large as the answer, so it cannot amplify)
 *   IDENTITY   (6): txid (8) | Noise public key (32)
 * Anything else (or a UDX packet) decodes as null, so one socket can carry both.
 */
const MAGIC = Buffer.from('PRLU');
export const UDP_DATAGRAM_VERSION = 1;

export const DatagramType = { REFLECT: 1, REFLECTED: 2, PUNCH: 3, PUNCH_ACK: 4, IDENTIFY: 5, IDENTITY: 6 } as const;

export type UdpDatagram =
  | { type: 'reflect'; txid: Buffer }
  | { type: 'reflected'; txid: Buffer; host: string; port: number }
  | { type: 'punch'; punchId: Buffer }
  | { type: 'punch-ack'; punchId: Buffer }
  | { type: 'identify'; txid: Buffer }
  | { type: 'identity'; txid: Buffer; publicKey: Buffer };

const HEADER = MAGIC.length + 2;
export const TXID_BYTES = 8;
export const PUNCH_ID_BYTES = 16;
export const KEY_BYTES = 32;

function header(type: number, bodyBytes: number): Buffer {
  const out = Buffer.alloc(HEADER + bodyBytes);
  MAGIC.copy(out, 0);
  out[4] = UDP_DATAGRAM_VERSION;
  out[5] = type;
  return out;
}

export function encodeDatagram(d: UdpDatagram): Buffer {
  switch (d.type) {
    case 'reflect': {
      const out = header(DatagramType.REFLECT, TXID_BYTES);
      d.txid.copy(out, HEADER, 0, TXID_BYTES);
      return out;
    }
    case 'reflected': {
      const out = header(DatagramType.REFLECTED, TXID_BYTES + 6);
      d.txid.copy(out, HEADER, 0, TXID_BYTES);
      const octets = d.host.split('.').map(Number);
      octets.forEach((o, i) => (out[HEADER + TXID_BYTES + i] = o));
      out.writeUInt16BE(d.port, HEADER + TXID_BYTES + 4);
      return out;
    }
    case 'identify':
    case 'identity': {
      const out = header(d.type === 'identify' ? DatagramType.IDENTIFY : DatagramType.IDENTITY, TXID_BYTES + KEY_BYTES);
      d.txid.copy(out, HEADER, 0, TXID_BYTES);
      if (d.type === 'identity') d.publicKey.copy(out, HEADER + TXID_BYTES, 0, KEY_BYTES);
      return out;
    }
    case 'punch':
    case 'punch-ack': {
      const out = header(d.type === 'punch' ? DatagramType.PUNCH : DatagramType.PUNCH_ACK, PUNCH_ID_BYTES);
      d.punchId.copy(out, HEADER, 0, PUNCH_ID_BYTES);
      return out;
    }
  }
}

/** Null for anything that is not one of ours in this version (remote input: never throws). */
export function decodeDatagram(bytes: Buffer): UdpDatagram | null {
  if (bytes.length < HEADER || !bytes.subarray(0, 4).equals(MAGIC) || bytes[4] !== UDP_DATAGRAM_VERSION) return null;
  const body = bytes.subarray(HEADER);
  const type = bytes[5] ?? -1;
  switch (type) {
    case DatagramType.REFLECT:
      return body.length === TXID_BYTES ? { type: 'reflect', txid: Buffer.from(body) } : null;
    case DatagramType.REFLECTED:
      if (body.length !== TXID_BYTES + 6) return null;
      return {
        type: 'reflected',
        txid: Buffer.from(body.subarray(0, TXID_BYTES)),
        host: [...body.subarray(TXID_BYTES, TXID_BYTES + 4)].join('.'),
        port: body.readUInt16BE(TXID_BYTES + 4),
      };
    case DatagramType.PUNCH:
    case DatagramType.PUNCH_ACK:
      if (body.length !== PUNCH_ID_BYTES) return null;
      return { type: type === DatagramType.PUNCH ? 'punch' : 'punch-ack', punchId: Buffer.from(body) };
    case DatagramType.IDENTIFY:
      return body.length === TXID_BYTES + KEY_BYTES ? { type: 'identify', txid: Buffer.from(body.subarray(0, TXID_BYTES)) } : null;
    case DatagramType.IDENTITY:
      if (body.length !== TXID_BYTES + KEY_BYTES) return null;
      return { type: 'identity', txid: Buffer.from(body.subarray(0, TXID_BYTES)), publicKey: Buffer.from(body.subarray(TXID_BYTES)) };
    default:
      return null;
  }
}
