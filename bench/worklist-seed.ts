import type { DbClient, Prisma } from '@/server/db';

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same database. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A cuid-length id (25 characters), unique per kind and index, so index sizes are realistic. */
const id = (kind: string, ...n: number[]) => `c${kind}${n.map((x) => x.toString(36).padStart(6, '0')).join('')}`.padEnd(25, 'x');

async function inChunks<T>(rows: T[], size: number, write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

/**
 * Seeds `studies` studies the way a month of a busy emergency department leaves the table: most
 * triaged (about 15 % flagged, a few not analysable or aged into the needs-eyes tier), some still
 * arriving or under review, a fifth reported or dismissed (closed tier). Each study has one series
 * of `slicesPerStudy` slices (fewer while still arriving), with a prediction per analysed slice, so
 * the worklist's slice counts read real rows. Returns a one-line description of what it wrote.
 */
export async function seedWorklist(prisma: DbClient, opts: { studies: number; slicesPerStudy: number; seed?: number }): Promise<string> {
  const rnd = random(opts.seed ?? 1);
  const now = Date.now();
  const studies: Prisma.StudyCreateManyInput[] = [];
  const series: Prisma.SeriesCreateManyInput[] = [];
  const instances: (Prisma.InstanceCreateManyInput & Record<string, unknown>)[] = [];
  const predictions: (Prisma.SlicePredictionCreateManyInput & Record<string, unknown>)[] = [];

  for (let s = 0; s < opts.studies; s++) {
    const studyId = id('s', s);
    const seriesId = id('r', s);
    const u = rnd();
    const receivedAt = new Date(now - Math.floor(rnd() * 30 * 24 * 3600_000));
    // status, outcome, tier, and how much of it arrived and was analysed
    let status: 'receiving' | 'analysing' | 'triaged' | 'in_review' | 'reported' | 'dismissed';
    let outcome: 'flagged' | 'not_flagged' | 'not_analysable' | null = null;
    let tier = 2;
    let arrived = opts.slicesPerStudy;
    let analysedFraction = 1;
    let failedDecode = false;
    if (u < 0.15) status = 'reported';
    else if (u < 0.2) status = 'dismissed';
    else if (u < 0.23) {
      status = 'receiving';
      arrived = Math.max(1, Math.floor(rnd() * opts.slicesPerStudy));
      analysedFraction = rnd();
    } else if (u < 0.25) {
      status = 'analysing';
      analysedFraction = rnd();
    } else if (u < 0.3) status = 'in_review';
    else status = 'triaged';

    const any = status === 'receiving' && analysedFraction < 0.1 ? null : rnd() < 0.18 ? 0.5 + rnd() * 0.5 : rnd() ** 3 * 0.5;
    if (status === 'triaged' || status === 'in_review' || status === 'reported' || status === 'dismissed') {
      const v = rnd();
      if (v < 0.03) {
        outcome = 'not_analysable';
        failedDecode = true;
      } else outcome = any !== null && any >= 0.5 ? 'flagged' : 'not_flagged';
    }
    const flagged = outcome === 'flagged';
    if (status === 'reported' || status === 'dismissed') tier = 3;
    else if (flagged) tier = 0;
    else if (outcome === 'not_analysable' || rnd() < 0.05) tier = 1;
    const anyProbability = outcome === 'not_analysable' ? null : any;

    studies.push({
      id: studyId,
      StudyInstanceUID: `1.2.826.0.1.3680043.10.999.${s}`,
      PatientID: `P${100000 + s}`,
      PatientName: `DOE^JANE${s}`,
      PatientSex: rnd() < 0.5 ? 'F' : 'M',
      PatientAge: `0${String(20 + Math.floor(rnd() * 70))}Y`,
      status,
      outcome,
      notAnalysableReason: outcome === 'not_analysable' ? 'DICOM_DECODE_FAILED' : null,
      flagged,
      priorityTier: tier,
      anyProbability,
      subduralProbability: anyProbability === null ? null : anyProbability * rnd(),
      subduralFlagged: flagged && rnd() < 0.5,
      receivedAt,
      lastSliceAt: receivedAt,
      completedAt: status === 'receiving' ? null : receivedAt,
      triagedAt: outcome ? receivedAt : null,
      modelName: anyProbability === null ? null : 'ich-bench',
      modelVersion: anyProbability === null ? null : '1.0.0',
    });
    series.push({ id: seriesId, SeriesInstanceUID: `1.2.826.0.1.3680043.10.999.${s}.1`, studyId, instanceCount: arrived, receivedAt });
    for (let i = 0; i < arrived; i++) {
      const instanceId = id('i', s, i);
      const analysed = !failedDecode && i < Math.round(arrived * analysedFraction);
      instances.push({
        id: instanceId,
        SOPInstanceUID: `1.2.826.0.1.3680043.10.999.${s}.1.${i + 1}`,
        seriesId,
        studyId,
        InstanceNumber: i + 1,
        slicePosition: i * 5,
        storedPath: `${s}/${i}.dcm`,
        sizeBytes: 525_000,
        sha256: '0'.repeat(64),
        decodeStatus: failedDecode ? 'failed' : analysed ? 'decoded' : 'pending',
        receivedAt,
      });
      if (analysed) {
        const p = (anyProbability ?? 0) * rnd();
        predictions.push({
          id: id('p', s, i),
          instanceId,
          studyId,
          anyProbability: p,
          epiduralProbability: p * rnd(),
          intraparenchymalProbability: p * rnd(),
          intraventricularProbability: p * rnd(),
          subarachnoidProbability: p * rnd(),
          subduralProbability: p * rnd(),
          modelVersion: 'ich-bench@1.0.0',
        });
      }
    }
  }
  await inChunks(studies, 500, (data) => prisma.study.createMany({ data }));
  await inChunks(series, 1000, (data) => prisma.series.createMany({ data }));
  // The slice tables are 20-30x larger: Prisma's createMany spends ~0.5 ms a row on them (6 min at
  // 10,000 studies on a loaded 2-core box), so they go in as multi-row INSERTs of literals (all
  // generated here, nothing from outside). receivedAt/inferredAt take the column default: the
  // worklist never reads them.
  const lit = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  const insert = (table: string, cols: string[], rows: Record<string, unknown>[]) =>
    prisma.$executeRawUnsafe(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.map((r) => `(${cols.map((c) => lit(r[c])).join(', ')})`).join(', ')}`);
  const instanceCols = ['id', 'SOPInstanceUID', 'seriesId', 'studyId', 'InstanceNumber', 'slicePosition', 'storedPath', 'sizeBytes', 'sha256', 'decodeStatus'];
  const predictionCols = ['id', 'instanceId', 'studyId', 'anyProbability', 'epiduralProbability', 'intraparenchymalProbability', 'intraventricularProbability', 'subarachnoidProbability', 'subduralProbability', 'modelVersion'];
  await inChunks(instances, 1000, (rows) => insert('Instance', instanceCols, rows));
  await inChunks(predictions, 1000, (rows) => insert('SlicePrediction', predictionCols, rows));
  const active = studies.filter((s) => s.status !== 'reported' && s.status !== 'dismissed').length;
  return `${studies.length} studies (${active} active), ${instances.length} instances, ${predictions.length} predictions`;
}
