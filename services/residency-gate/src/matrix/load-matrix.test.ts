import { describe, expect, it } from 'vitest';
import { SAMPLE_TEXT } from '../evaluator/sample-policy.fixture.ts';
import { MatrixInvalidError, parseMatrix } from './load-matrix.ts';

function issuesOf(text: string) {
  try {
    parseMatrix(text, 'm.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(MatrixInvalidError);
    return (err as MatrixInvalidError).issues;
  }
  throw new Error('expected the matrix to be refused');
}

describe('matrix loading', () => {
  it('accepts the sample matrix, with the regions, sinks, tags and purposes the demo needs', () => {
    const { matrix, digest } = parseMatrix(SAMPLE_TEXT);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(matrix.regions['eu-west-1']?.jurisdiction).toBe('EEA');
    expect(matrix.regions['eu-central-1']?.jurisdiction).toBe('EEA');
    expect(matrix.regions['us-east-1']?.jurisdiction).toBe('US');
    expect(matrix.regions['ap-southeast-1']?.jurisdiction).toBe('SG');
    expect(matrix.sinks['analytics-eu']?.region).toBe('eu-west-1');
    expect(matrix.sinks['analytics-us']?.region).toBe('us-east-1');
    expect(Object.keys(matrix.tags)).toEqual(expect.arrayContaining(['pii', 'pci']));
    expect(Object.keys(matrix.purposes)).toEqual(expect.arrayContaining(['analytics', 'support']));
  });

  it('names line and path of a schema violation', () => {
    const text = SAMPLE_TEXT.replace(
      '  analytics-us: { region: us-east-1, recipient: acme-analytics, retention: P1Y }',
      '  analytics-us: { region: us-east-1, recipient: acme-analytics, retention: forever }',
    );
    const issues = issuesOf(text);
    const line = text.split('\n').findIndex((l) => l.includes('retention: forever')) + 1;
    expect(issues).toContainEqual(
      expect.objectContaining({ pointer: '/sinks/analytics-us/retention', line }),
    );
  });

  it('names an unknown key with its line', () => {
    const text = SAMPLE_TEXT.replace('mode: enforce', 'mode: enforce\ncolour: blue');
    const issues = issuesOf(text);
    expect(issues).toContainEqual(
      expect.objectContaining({ pointer: '/colour', message: 'unknown key "colour"', line: 6 }),
    );
  });

  it('refuses references to undeclared names, with the line', () => {
    const text = SAMPLE_TEXT.replace(
      'match: { tags: [pci], transfer: cross-region }',
      'match: { tags: [pcii], transfer: cross-region }',
    );
    const issues = issuesOf(text);
    const line = text.split('\n').findIndex((l) => l.includes('[pcii]')) + 1;
    expect(issues).toContainEqual(
      expect.objectContaining({
        pointer: expect.stringMatching(/^\/rules\/\d+\/match\/tags\/0$/),
        line,
        message: expect.stringContaining('unknown tag "pcii"'),
      }),
    );
  });

  it('refuses duplicate rule ids, duplicate keys and bad YAML', () => {
    expect(issuesOf(SAMPLE_TEXT.replace('id: pci-same-region', 'id: pci-in-region'))[0]?.message).toContain(
      'duplicate rule id',
    );
    expect(issuesOf(SAMPLE_TEXT.replace("version: '2026.12.7'", "version: '1'\nversion: '2'"))[0]?.line).toBe(
      5,
    );
    expect(issuesOf('rules: [unclosed')[0]?.line).not.toBeNull();
  });

  it('requires obligations exactly when the effect is obligations', () => {
    const text = SAMPLE_TEXT.replace(
      /effect: obligations\n {4}obligations:\n {6}fields: drop/,
      'effect: obligations',
    );
    expect(issuesOf(text).some((i) => i.message.includes('obligations'))).toBe(true);
  });
});
