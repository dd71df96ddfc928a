-- Supervisors list the reads of personal data per case (GET /api/audit/reads?caseId=).
CREATE INDEX ix_audit_log_kind_case ON audit_log (kind, case_id, seq);
