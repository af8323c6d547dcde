import { defineConfig } from 'vitest/config';

// The real-LAVA suite (`npm run test:lava`): the shared global setup (Temporal, database) plus the LAVA
// lab of scripts/lava/setup.sh. A LAVA job boots a kernel under software emulation: minutes, not seconds.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 1,
    include: ['test/lava/real/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 15 * 60_000,
    hookTimeout: 5 * 60_000,
    teardownTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results-lava.json' }]],
  },
});
