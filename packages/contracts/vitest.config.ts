import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'contracts', testTimeout: 30_000, hookTimeout: 120_000 } });
