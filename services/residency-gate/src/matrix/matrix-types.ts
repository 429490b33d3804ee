/** The residency matrix as validated by schema/matrix.schema.json. */

export type IdList = '*' | string[];
export type Transfer = 'any' | 'same-region' | 'cross-region' | 'same-jurisdiction' | 'cross-jurisdiction';
export type Effect = 'allow' | 'deny' | 'obligations';
export type FieldAction = 'mask' | 'hash' | 'drop';

export interface MatrixRule {
  id: string;
  description?: string;
  shadow?: boolean;
  match: {
    tags?: string[];
    classifications?: string[];
    from?: IdList;
    to?: IdList;
    purposes?: IdList;
    sinks?: IdList;
    transfer?: Transfer;
  };
  effect: Effect;
  obligations?: {
    fields?: FieldAction;
    hash_key?: string;
    cap_retention?: string;
    require_transfer_mechanism?: boolean;
  };
}

export interface Matrix {
  version: string;
  mode?: 'enforce' | 'shadow';
  description?: string;
  jurisdictions: Record<string, { name?: string; description?: string }>;
  regions: Record<string, { country: string; jurisdiction: string }>;
  adequacy?: Array<{ from: string; to: string; expires?: string | null }>;
  recipients?: Record<string, { name?: string; country: string; dpf_certified_until?: string | null }>;
  transfer_mechanisms?: Array<{
    id: string;
    type: 'SCC' | 'BCR';
    from: string;
    to: string;
    recipient?: string;
    expires: string | null;
  }>;
  sinks: Record<string, { region: string; recipient?: string; retention: string }>;
  purposes: Record<string, { name?: string; description?: string }>;
  classifications: Record<string, { rank: number; description?: string; max_retention?: string }>;
  tags: Record<string, { description?: string; max_retention?: string }>;
  rules: MatrixRule[];
}

/** One problem in a matrix: a JSON pointer into it and, when known, the line and column in the YAML. */
export interface MatrixIssue {
  pointer: string;
  line: number | null;
  column: number | null;
  message: string;
}
