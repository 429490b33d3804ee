export * from './contract/decision-contract.ts';
export { buildApp } from './app.ts';
export type { GateDeps } from './app.ts';
export { loadGateConfig, SAMPLE_MATRIX } from './config.ts';
export type { GateConfig } from './config.ts';
export { parseMatrix, MatrixInvalidError } from './matrix/load-matrix.ts';
export type { LoadedMatrix } from './matrix/load-matrix.ts';
export type { Matrix, MatrixIssue, MatrixRule } from './matrix/matrix-types.ts';
export { compilePolicy } from './evaluator/compile-policy.ts';
export type { CompiledPolicy } from './evaluator/compile-policy.ts';
export { evaluate, evaluateUncached, denyCore } from './evaluator/evaluate.ts';
export type { DecisionCore, EvaluationInput } from './evaluator/evaluate.ts';
export { REASON_CODES } from './evaluator/reason-codes.ts';
export type { ReasonCode } from './evaluator/reason-codes.ts';
export { canonicalize } from './jcs/canonical-json.ts';
export { verifyAuditLines } from './audit/verify-audit.ts';
export type { VerifyOptions, VerifyReport, VerifyProblem } from './audit/verify-audit.ts';
export { signCheckpoint } from './audit/checkpoint.ts';
export type { SignedCheckpoint } from './audit/audit-record.ts';
export {
  publicKeyFrom,
  generateSigningKey,
  signText,
  signingKeyFrom,
  verifyText,
} from './audit/signing-key.ts';
export type { SigningKey } from './audit/signing-key.ts';
export { contractFields } from './contracts-lookup/schema-fields.ts';
export { GATE_ERROR_CODES } from './errors.ts';
