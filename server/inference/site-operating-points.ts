import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LABELS } from '@/lib/labels';
import { studyOperatingPointsSchema, type ModelManifest } from '@/lib/model-manifest';
import type { PointsInForce } from '@/lib/study-decision';
import type { Logger } from '@/server/logging';

/** The file name `npm run calibrate` writes under DATA_DIR by default, and the server reads at start. */
export const SITE_OPERATING_POINTS_FILE = 'site-operating-points.json';

/**
 * A site's own study operating points (`npm run calibrate`): measured on the site's labelled
 * studies for one model, with the figures they were chosen from. Only valid for that model.
 */
export const siteOperatingPointsSchema = z.object({
  kind: z.literal('ich-triage.site-operating-points'),
  model: z.object({ name: z.string().min(1), version: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  createdAt: z.string().datetime(),
  /** Labelled studies measured (those the model could score), with and without a bleed. */
  studies: z.number().int().min(1),
  aggregation: z.string().min(1),
  targetSensitivity: z.number().min(0).max(1),
  points: studyOperatingPointsSchema,
  /** What was measured, in words (folder names only: no patient data). */
  source: z.object({ dicom: z.string(), labels: z.string() }),
});
export type SiteOperatingPoints = z.infer<typeof siteOperatingPointsSchema>;

/** The points a site file puts in force. */
export function sitePointsInForce(site: SiteOperatingPoints): PointsInForce {
  return { source: 'site', model: `${site.model.name}@${site.model.version}`, points: site.points, setAt: site.createdAt, studies: site.studies };
}

/**
 * Reads the site override beside the manifest at start. Absent: undefined (the manifest's points
 * stand). Unreadable, invalid, or for another model (name, version or ONNX sha256 differ): one
 * clear log line and undefined, so a stale calibration never silently decides for a new model.
 */
export async function loadSiteOperatingPoints(
  file: string,
  manifest: Pick<ModelManifest, 'name' | 'version' | 'sha256' | 'studyAggregation'>,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<SiteOperatingPoints | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    log.warn({ file, err }, 'site operating points not loaded: the file cannot be read; the manifest points are in force');
    return undefined;
  }
  let parsed: ReturnType<typeof siteOperatingPointsSchema.safeParse>;
  try {
    parsed = siteOperatingPointsSchema.safeParse(JSON.parse(text));
  } catch {
    log.warn({ file }, 'site operating points not loaded: the file is not JSON; the manifest points are in force');
    return undefined;
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    log.warn({ file, problems }, 'site operating points not loaded: the file does not fit the format; the manifest points are in force');
    return undefined;
  }
  const site = parsed.data;
  const running = `${manifest.name}@${manifest.version}`;
  if (site.model.name !== manifest.name || site.model.version !== manifest.version || site.model.sha256 !== manifest.sha256) {
    log.warn(
      { file, siteModel: `${site.model.name}@${site.model.version}`, model: running },
      `site operating points refused: they were measured for ${site.model.name}@${site.model.version}, not the running model ${running}; the manifest points are in force until npm run calibrate is run for this model`,
    );
    return undefined;
  }
  if (site.aggregation !== (manifest.studyAggregation ?? 'max')) {
    log.warn({ file, aggregation: site.aggregation, model: running }, 'site operating points refused: measured with another study aggregation than the manifest names');
    return undefined;
  }
  log.info({ file, model: running, studies: site.studies, anyThreshold: site.points.any.threshold, labels: LABELS.filter((l) => site.points[l]) }, 'site operating points loaded');
  return site;
}
