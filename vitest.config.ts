import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real DHT nodes, relays and sockets; two cores, so keep it modest.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
