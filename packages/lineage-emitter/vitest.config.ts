import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'lineage-emitter', testTimeout: 30_000 } });
