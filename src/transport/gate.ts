import type SecretStream from '@hyperswarm/secret-stream';

/** Decides, from the initiator's authenticated static key, whether the responder answers at all. */
export type AdmitRemote = (remotePublicKey: Buffer) => boolean;

/** The part of secret-stream's responder handshake the gate steps into (lib/handshake.js, 6.x). */
interface ResponderHandshake {
  noise: { recv(data: Uint8Array): void; rs: Uint8Array | null };
  recv(data: Uint8Array): unknown;
  send(): unknown;
}

/**
 * Makes a responder stream ask `admit` once Noise IK's first message has been read (the initiator's
 * static key is then known and authenticated) and before anything is written back: a refused
 * initiator gets no reply at all, exactly like one that dialled with the wrong key, so it learns
 * neither that our key is still behind this address nor that we are online.
 *
 * secret-stream has no hook between reading message one and answering it, so this wraps its
 * handshake object's `recv` (same two steps it takes: `noise.recv`, then `send`). If a future
 * secret-stream changes that shape, this throws at once instead of silently answering everyone.
 */
export function gateResponder(stream: SecretStream, admit: AdmitRemote, onRefused: () => void): void {
  const hs = (stream as unknown as { _handshake?: ResponderHandshake | null })._handshake;
  if (!hs || typeof hs.recv !== 'function' || typeof hs.send !== 'function' || typeof hs.noise?.recv !== 'function') {
    throw new Error('secret-stream internals changed: the responder gate cannot be installed');
  }
  hs.recv = (data: Uint8Array) => {
    try {
      hs.noise.recv(data);
    } catch {
      return null; // not for our key: the stream fails its handshake, as before
    }
    const rs = hs.noise.rs;
    if (!rs || !admit(Buffer.from(rs))) {
      onRefused();
      return null;
    }
    return hs.send();
  };
}
