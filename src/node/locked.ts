import { acquireLock, releaseLock } from './lock.js';
import { ParleyNode, type NodeOptions } from './node.js';

/**
 * Starts a node for a home while holding the home's lock (one running node per home); the lock is
 * released if the start fails. `busy` makes the error for a home another process serves. `local`:
 * resolves once the local part is up, the network comes up in the background (ParleyNode.startLocal).
 */
export async function startLockedNode(opts: NodeOptions, busy: () => Error, how: { local?: boolean } = {}): Promise<ParleyNode> {
  if (!acquireLock(opts.home)) throw busy();
  try {
    const node = new ParleyNode(opts);
    if (how.local) node.startLocal();
    else await node.start();
    return node;
  } catch (err) {
    releaseLock(opts.home);
    throw err;
  }
}

/** Stops a node started with `startLockedNode` and releases its home. */
export async function stopLockedNode(node: ParleyNode): Promise<void> {
  await node.stop();
  releaseLock(node.home);
}
