// The audit stage's public surface: the hash-chained journal, its queries and its verification.
export { AuditLog, type AppendedAuditEvent, type AuditActor, type AuditEventInput, type AuditTargetType } from './audit-log';
export { AuditService, auditActor, MAX_CSV_ENTRIES, type AuditServiceOptions } from './audit-service';
export { verifyAuditChain, type AuditChainBreak, type AuditChainReport } from './verify-audit-chain';
export { verifyAuditAnchor, type AuditAnchorBreak, type AuditAnchorReport } from './verify-audit-anchor';
export { AuditAnchor, type AuditCheckpoint } from './audit-anchor';
export { listAudit, studyTimeline, type AuditFilter } from './audit-query';
export { auditCsvFilename, csvCell } from './audit-csv';
export { canonicalJson, type JsonValue } from './canonical-json';
export { GENESIS_HASH, hashAuditEvent, sha256Text } from './audit-hash';
