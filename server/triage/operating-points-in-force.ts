import { AppError } from '@/lib/errors';
import type { ModelManifest } from '@/lib/model-manifest';
import { manifestPoints, pointsInForceSchema, type OperatingPointsView, type PointsInForce } from '@/lib/study-decision';
import type { AuditService } from '@/server/audit';
import type { AuditActor } from '@/server/audit/audit-log';
import type { DbClient } from '@/server/db';
import { sitePointsInForce, type SiteOperatingPoints } from '@/server/inference/site-operating-points';

/** What an admin may put in force: the manifest's points, the site calibration's, or an own "any" threshold. */
export type PointChoice = { use: 'manifest' } | { use: 'site' } | { use: 'custom'; threshold: number };

/** How long a node reuses what it read: an admin's change reaches every node within this. */
export const POINTS_CACHE_MS = 5_000;

/**
 * The study-level operating points in force for the running model, the same on every node: the
 * newest admin change in the database (OperatingPointChange) for this model, else the site
 * calibration file loaded at start, else the manifest's. A change takes effect for new decisions
 * (each rescoring reads the points in force); studies already triaged keep the point they were
 * decided by (Study.decisionPoint), so their explanation stays true.
 */
export class OperatingPointsInForce {
  private readonly manifestPoints: PointsInForce;
  private readonly sitePoints: PointsInForce | null;
  private cached: { at: number; value: PointsInForce } | undefined;

  constructor(
    private readonly o: {
      prisma: DbClient;
      manifest: Pick<ModelManifest, 'name' | 'version' | 'operatingPoints' | 'studyOperatingPoints'>;
      site?: SiteOperatingPoints | undefined;
      cacheMs?: number;
      clock?: () => number;
    },
  ) {
    this.manifestPoints = manifestPoints(o.manifest);
    this.sitePoints = o.site ? sitePointsInForce(o.site) : null;
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  /** The points that decide new studies now. */
  async current(): Promise<PointsInForce> {
    if (this.cached && this.now() - this.cached.at < (this.o.cacheMs ?? POINTS_CACHE_MS)) return this.cached.value;
    const row = await this.o.prisma.operatingPointChange.findFirst({
      where: { modelName: this.o.manifest.name, modelVersion: this.o.manifest.version },
      orderBy: [{ setAt: 'desc' }, { id: 'desc' }],
    });
    const stored = row ? pointsInForceSchema.safeParse(JSON.parse(row.points)) : undefined;
    const value = stored?.success ? stored.data : (this.sitePoints ?? this.manifestPoints);
    this.cached = { at: this.now(), value };
    return value;
  }

  /** What is in force, what could be, and the last changes. */
  async view(): Promise<OperatingPointsView> {
    const rows = await this.o.prisma.operatingPointChange.findMany({
      where: { modelName: this.o.manifest.name, modelVersion: this.o.manifest.version },
      orderBy: [{ setAt: 'desc' }, { id: 'desc' }],
      take: 10,
    });
    this.cached = undefined;
    return {
      inForce: await this.current(),
      manifest: this.manifestPoints,
      site: this.sitePoints,
      history: rows.flatMap((r) => {
        const p = pointsInForceSchema.safeParse(JSON.parse(r.points));
        return p.success ? [{ setAt: r.setAt.toISOString(), setBy: r.setByUsername, source: p.data.source, anyThreshold: p.data.points.any.threshold, reason: r.reason }] : [];
      }),
    };
  }

  /**
   * Puts a point in force for new decisions, with its audit entry in the same transaction. Studies
   * already decided are not re-decided: a clinician may already be reading them by their flag.
   */
  async change(choice: PointChoice, reason: string, actor: AuditActor, audit: AuditService, ip: string | null = null): Promise<PointsInForce> {
    const setAt = new Date(this.now());
    let points: PointsInForce;
    if (choice.use === 'site') {
      if (!this.sitePoints) throw new AppError('VALIDATION_FAILED', 'no site calibration is loaded for this model (npm run calibrate writes one; the server reads it at start)');
      points = this.sitePoints;
    } else if (choice.use === 'manifest') {
      points = this.manifestPoints;
    } else {
      // An own threshold for "any": no measured figures, and no subtype is claimed.
      points = { source: 'admin', model: this.manifestPoints.model, points: { any: { threshold: choice.threshold } } };
    }
    points = { ...points, setAt: setAt.toISOString(), ...(actor.username ? { setBy: actor.username } : {}) };
    await audit.log.transaction(async (tx) => {
      await tx.operatingPointChange.create({
        data: { modelName: this.o.manifest.name, modelVersion: this.o.manifest.version, points: JSON.stringify(points), reason, setAt, setByUsername: actor.username },
      });
      await audit.log.append(
        {
          actor,
          ip,
          action: 'operating_point.changed',
          target: null,
          details: { model: points.model, source: points.source, anyThreshold: points.points.any.threshold },
        },
        tx,
      );
    });
    this.cached = undefined;
    return points;
  }
}
