import { defineProject } from 'vitest/config';

// JVMs start slowly on small machines: each test file starts its components once, in beforeAll.
export default defineProject({
  test: {
    name: 'testkit',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
