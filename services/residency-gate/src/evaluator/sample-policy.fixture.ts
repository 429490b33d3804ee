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

/**
 * The sample plus what it has no sink for, to test every transfer mechanism: a sink in the UK (eu-west-2,
 * adequate for the EEA until 2031-06-27), US recipients certified under the DPF (one certification valid
 * at NOW, one lapsed) or bound by BCR, and an EEA sink that keeps data one year (what restricted allows).
 */
export const EXTENDED_TEXT = SAMPLE_TEXT.replace(
  '  spine-apac: { name: Data Spine APAC, country: SG }\n',
  `  spine-apac: { name: Data Spine APAC, country: SG }
  spine-uk: { name: Data Spine UK, country: GB }
  dpf-corp: { name: DPF Corp., country: US, dpf_certified_until: '2027-06-30' }
  dpf-lapsed: { name: Lapsed Inc., country: US, dpf_certified_until: '2026-06-30' }
  bcr-group: { name: BCR Group Inc., country: US }
`,
)
  .replace(
    "    expires: '2027-12-31'\n",
    `    expires: '2027-12-31'
  - id: bcr-group-2029
    type: BCR
    from: EEA
    to: US
    recipient: bcr-group
    expires: '2029-12-31'
`,
  )
  .replace(
    '  analytics-apac: { region: ap-southeast-1, recipient: spine-apac, retention: P1Y }\n',
    `  analytics-apac: { region: ap-southeast-1, recipient: spine-apac, retention: P1Y }
  analytics-uk: { region: eu-west-2, recipient: spine-uk, retention: P1Y }
  analytics-dpf: { region: us-east-1, recipient: dpf-corp, retention: P1Y }
  analytics-dpf-lapsed: { region: us-east-1, recipient: dpf-lapsed, retention: P1Y }
  analytics-bcr: { region: us-east-1, recipient: bcr-group, retention: P1Y }
  archive-eu: { region: eu-central-1, recipient: spine-eu, retention: P1Y }
`,
  );
export const extendedPolicy = (): CompiledPolicy => compilePolicy(parseMatrix(EXTENDED_TEXT, 'extended'));

const SINK_REGION: Record<string, string> = {
  'analytics-eu': 'eu-west-1',
  'analytics-us': 'us-east-1',
  'analytics-apac': 'ap-southeast-1',
  'analytics-uk': 'eu-west-2',
  'analytics-dpf': 'us-east-1',
  'analytics-dpf-lapsed': 'us-east-1',
  'analytics-bcr': 'us-east-1',
  'archive-eu': 'eu-central-1',
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
