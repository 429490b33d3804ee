import { readFileSync } from 'node:fs';
import { SAMPLE_MATRIX } from '../config.ts';
import { parseMatrix } from '../matrix/load-matrix.ts';
import { compilePolicy } from './compile-policy.ts';
import type { CompiledPolicy } from './compile-policy.ts';
import type { EvaluationInput } from './evaluate.ts';

export const SAMPLE_TEXT = readFileSync(SAMPLE_MATRIX, 'utf8');
export const samplePolicy = (): CompiledPolicy => compilePolicy(parseMatrix(SAMPLE_TEXT, 'sample'));
/** A day the sample's SCC (until 2027-12-31) is valid. */
export const NOW = Date.parse('2026-12-01T12:00:00Z');

const SINK_REGION: Record<string, string> = {
  'analytics-eu': 'eu-west-1',
  'analytics-us': 'us-east-1',
  'analytics-apac': 'ap-southeast-1',
};

export function route(
  from: string,
  sink: string,
  purpose: string,
  classification: string,
  fields: Array<[string, ...string[]]>,
): EvaluationInput {
  return {
    route: {
      source: { dataset: 'postgres://oltp:5432/shop.public.customer', region: from },
      sink: { id: sink, region: SINK_REGION[sink] ?? 'unknown' },
      purpose,
    },
    classification,
    fields: fields.map(([name, ...tags]) => ({ name, tags })),
  };
}
