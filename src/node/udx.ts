import type UDX from 'udx-native';
import { createRequire } from 'node:module';

/*
 * udx-native, a native addon (~12 ms to load, CPU profile of `parley run`), is loaded at the first
 * UDP socket Parley opens (learning its reachability, punching a hole), both after `parley run` is
 * ready, rather than at start with the modules that import its types.
 */
const load = createRequire(import.meta.url);

/** A new UDX instance (its own libuv loop handle). */
export const newUdx = (): UDX => new (load('udx-native') as typeof UDX)();
