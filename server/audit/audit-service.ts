import type { AuditEntry, AuditPage } from '@/lib/audit';
import { AppError } from '@/lib/errors';
import type { Principal } from '@/server/auth/principal';
import type { DatabaseProvider, DbClient } from '@/server/db';
import { auditCsvHeader, auditCsvRows } from './audit-csv';
import { AuditLog, type AppendedAuditEvent, type AuditActor, type AuditEventInput } from './audit-log';
import { listAudit, studyTimeline, type AuditFilter } from './audit-query';
import { verifyAuditChain, type AuditChainReport } from './verify-audit-chain';

/** Most entries one CSV export holds; a wider filter is refused with a request to narrow it. */
export const MAX_CSV_ENTRIES = 50_000;

/** The journal's actor for a request's principal: a person, or a service account as `token:<name>`. */
export function auditActor(principal: Principal): AuditActor {
  return principal.kind === 'user' ? { userId: principal.userId, username: principal.username } : { userId: null, username: `token:${principal.name}` };
}

export interface AuditServiceOptions {
  prisma: DbClient;
  provider: DatabaseProvider;
  /** The same person opening the same study again within this window is not recorded again (default 5 min). */
  viewWindowMs?: number;
}

/** The audit journal as route handlers use it (through the services registry): record, read, export, verify. */
export class AuditService {
  readonly log: AuditLog;
  private readonly prisma: DbClient;
  private readonly viewWindowMs: number;
  /** Last recorded view per person and study, so a page that re-reads a study does not flood the journal. */
  private readonly lastViews = new Map<string, number>();

  constructor(options: AuditServiceOptions) {
    this.prisma = options.prisma;
    this.log = new AuditLog(options.prisma, options.provider);
    this.viewWindowMs = options.viewWindowMs ?? 5 * 60_000;
  }

  /** Appends one entry in its own transaction. */
  record(event: AuditEventInput): Promise<AppendedAuditEvent> {
    return this.log.append(event);
  }

  /** Records that `actor` opened a study (once per view window per person and study, per process). */
  async recordStudyView(actor: AuditActor, studyInstanceUid: string, ip: string | null): Promise<void> {
    const key = `${actor.userId ?? actor.username}\u0000${studyInstanceUid}`;
    const now = Date.now();
    const last = this.lastViews.get(key);
    if (last !== undefined && now - last < this.viewWindowMs) return;
    await this.log.append({ actor, ip, action: 'study.viewed', target: { type: 'study', id: studyInstanceUid } });
    this.lastViews.set(key, now);
    if (this.lastViews.size > 10_000) {
      for (const [k, t] of this.lastViews) if (now - t >= this.viewWindowMs) this.lastViews.delete(k);
    }
  }

  /** A page of the journal, newest first. */
  list(filter: AuditFilter, page: { cursor?: number | undefined; limit: number }): Promise<AuditPage> {
    return listAudit(this.prisma, filter, page);
  }

  /** One study's entries, oldest first. */
  timeline(studyInstanceUid: string): Promise<AuditEntry[]> {
    return studyTimeline(this.prisma, studyInstanceUid);
  }

  /** Every entry matching `filter` as CSV, newest first; VALIDATION_FAILED above MAX_CSV_ENTRIES. */
  async exportCsv(filter: AuditFilter): Promise<string> {
    const parts = [auditCsvHeader()];
    let cursor: number | undefined;
    let count = 0;
    for (;;) {
      const page = await listAudit(this.prisma, filter, { cursor, limit: 1000 });
      count += page.entries.length;
      if (count > MAX_CSV_ENTRIES) {
        throw new AppError('VALIDATION_FAILED', `more than ${MAX_CSV_ENTRIES} entries match: narrow the date range or filters`);
      }
      parts.push(auditCsvRows(page.entries));
      if (page.nextCursor === null) return parts.join('');
      cursor = page.nextCursor;
    }
  }

  /** Walks the whole chain (npm run audit:verify does the same from the command line). */
  verify(): Promise<AuditChainReport> {
    return verifyAuditChain(this.prisma);
  }
}
