/** Every metric the gate exports (service-kit adds the HTTP ones). */
export const METRICS = {
  decisions: 'spine_gate_decisions_total',
  reasons: 'spine_gate_decision_reasons_total',
  evaluationSeconds: 'spine_gate_evaluation_duration_seconds',
  shadowDisagreements: 'spine_gate_shadow_disagreements_total',
  policyInfo: 'spine_gate_policy_info',
  policyLoads: 'spine_gate_policy_loads_total',
  policyLastLoadOk: 'spine_gate_policy_last_load_ok',
  auditAppendSeconds: 'spine_gate_audit_append_duration_seconds',
  auditAppends: 'spine_gate_audit_appends_total',
  auditFailures: 'spine_gate_audit_failures_total',
  auditQueue: 'spine_gate_audit_queue_records',
  auditWriterRestarts: 'spine_gate_audit_writer_restarts_total',
  contractLookups: 'spine_gate_contract_lookups_total',
} as const;
