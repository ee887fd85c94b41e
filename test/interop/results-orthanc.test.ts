import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceEngine } from '@/server/inference';
import { OutboxDispatcher } from '@/server/outbox';
import { generatePhantomStudy } from '@/server/phantoms';
import { DICOM_RESULTS_KIND, dicomResultsDeliverer, dicomResultsPayloadSchema, enqueueDicomResult, enqueueUpdatedDicomResult, type ResultsTargets } from '@/server/results';
import { createPipelineStack, TEST_MODEL_MANIFEST, type PipelineStack } from '@/test/support/pipeline-stack';
import { resultUid } from '@/server/results/result-uid';
import { ORTHANC_BIN, ORTHANC_DICOMWEB_PLUGIN, startOrthanc, type PrivateOrthanc } from './orthanc-server';

// Results back to PACS: a triaged study's SR goes to a real Orthanc (Debian's, with its DICOMweb
// plugin) by C-STORE, then an updated SR by STOW-RS, through the outbox; Orthanc files both in the
// study it already holds, and every image the SRs refer to is an instance of that study there.
const DSRDUMP = spawnSync('dsrdump', ['--version']).status === 0;
const READY = Boolean(ORTHANC_BIN && ORTHANC_DICOMWEB_PLUGIN);
if (!READY) console.warn('skipping the results-to-PACS test: orthanc and orthanc-dicomweb are not installed (CI installs them)');

const silent = pino({ level: 'silent' });
const software = { manufacturer: 'ich-triage', softwareVersion: '0.1.0', aeTitle: 'ICHTRIAGE' };
type Tags = Record<string, unknown>;

describe.skipIf(!READY)('AI results reach a PACS as DICOM SR (Orthanc)', () => {
  let dir: string;
  let engine: InferenceEngine;
  let stack: PipelineStack;
  let orthanc: PrivateOrthanc;
  let orthancStudy: string;
  let studyId: string;
  const study = generatePhantomStudy({ seed: 1313, slices: 6, size: 64, hemorrhage: 'subdural' });

  const orthancGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${orthanc.api}${path}`);
    expect(res.status, `${path}\n${orthanc.log().slice(-1500)}`).toBe(200);
    return (await res.json()) as T;
  };
  /** The Orthanc instance id of a SOP Instance UID, and the Orthanc study it belongs to. */
  const lookup = async (sopInstanceUid: string) => {
    const hits = (await (await fetch(`${orthanc.api}/tools/lookup`, { method: 'POST', body: sopInstanceUid })).json()) as { Type: string; ID: string }[];
    const instance = hits.find((h) => h.Type === 'Instance');
    if (!instance) return undefined;
    const parent = await orthancGet<{ ID: string }>(`/instances/${instance.ID}/study`);
    return { id: instance.ID, study: parent.ID };
  };
  const deliverAll = async (targets: ResultsTargets) => {
    const dispatcher = new OutboxDispatcher({ prisma: stack.db.prisma, log: silent, deliveryTimeoutMs: 30_000 });
    dispatcher.registerDeliverer(DICOM_RESULTS_KIND, dicomResultsDeliverer({ prisma: stack.db.prisma, files: stack.files, targets, software }), dicomResultsPayloadSchema);
    await dispatcher.runOnce();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'results-orthanc-'));
    engine = await InferenceEngine.create({ manifestPath: TEST_MODEL_MANIFEST, providers: ['cpu'], maxBatch: 16, maxWaitMs: 2, intraOpThreads: 1, log: silent });
    stack = await createPipelineStack({ dataDir: dir, engine, quietPeriodMs: 500 });
    for (const s of study.slices) expect((await stack.ingest.ingest(s.bytes, { channel: 'test', sender: 'unit' })).status).toBe('stored');
    stack.pipeline.start();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await stack.db.prisma.study.findUnique({ where: { StudyInstanceUID: study.studyInstanceUid }, select: { id: true, status: true } });
      if (row?.status === 'triaged') {
        studyId = row.id;
        break;
      }
      if (Date.now() > deadline) throw new Error('the study was not triaged in 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await stack.pipeline.stop();

    orthanc = await startOrthanc({ dir, aeTitle: 'RESULTSPACS', dicomweb: true });
    // The PACS holds the study the result belongs to (it sent it to us, in a hospital).
    for (const s of study.slices) {
      const res = await fetch(`${orthanc.api}/instances`, { method: 'POST', body: Buffer.from(s.bytes) });
      expect(res.status).toBe(200);
      orthancStudy = ((await res.json()) as { ParentStudy: string }).ParentStudy;
    }
  }, 120_000);

  afterAll(async () => {
    await orthanc?.stop();
    await engine?.close();
    await stack?.db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('C-STOREs the SR into the study Orthanc holds; its references resolve to that study', async () => {
    const row = await stack.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } });
    await enqueueDicomResult(stack.db.prisma, { studyId, studyInstanceUid: row.StudyInstanceUID, outcome: row.outcome!, decidedAt: row.triagedAt! });
    await deliverAll({ dimse: { host: '127.0.0.1', port: orthanc.dicomPort, calledAeTitle: orthanc.aeTitle, callingAeTitle: 'ICHTRIAGE' } });

    const message = await stack.db.prisma.outboxMessage.findFirstOrThrow({ where: { kind: DICOM_RESULTS_KIND } });
    expect(message.state, `${message.lastError}\n${orthanc.log().slice(-1500)}`).toBe('delivered');
    const payload = dicomResultsPayloadSchema.parse(message.payload);
    const sr = await lookup(payload.sr.sopInstanceUid);
    expect(sr, 'Orthanc holds the SR').toBeDefined();
    expect(sr!.study).toBe(orthancStudy);

    const tags = await orthancGet<Tags>(`/instances/${sr!.id}/simplified-tags`);
    expect(tags.Modality).toBe('SR');
    expect(tags.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    // The patient module copied from the images: Orthanc files the SR under the same patient.
    const patient = await orthancGet<{ PatientMainDicomTags: Tags }>(`/studies/${orthancStudy}`);
    expect(tags.PatientID).toBe(patient.PatientMainDicomTags.PatientID);
    expect(tags.PatientName).toBe(patient.PatientMainDicomTags.PatientName);
    expect(String(tags.PatientID)).not.toBe('');
    const evidence = (tags.CurrentRequestedProcedureEvidenceSequence as Tags[])[0]!;
    const refs = ((evidence.ReferencedSeriesSequence as Tags[])[0]!.ReferencedSOPSequence as Tags[]).map((r) => String(r.ReferencedSOPInstanceUID));
    expect(refs.sort()).toEqual(study.slices.map((s) => s.sopInstanceUid).sort());
    for (const uid of refs) expect((await lookup(uid))?.study, uid).toBe(orthancStudy);
    for (const k of payload.snapshot.keySlices) expect((await lookup(k.sopInstanceUid))?.study).toBe(orthancStudy);

    // The key slice as a picture, in the same study, derived from the key slice Orthanc holds.
    const sc = await lookup(resultUid(`${payload.sr.sopInstanceUid}:sc`));
    expect(sc?.study, 'Orthanc holds the key-slice secondary capture in the study').toBe(orthancStudy);
    const scTags = await orthancGet<Tags>(`/instances/${sc!.id}/simplified-tags`);
    expect(scTags.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(scTags.BurnedInAnnotation).toBe('YES');
    expect((scTags.SourceImageSequence as Tags[])[0]!.ReferencedSOPInstanceUID).toBe(payload.snapshot.keySlices[0]!.sopInstanceUid);

    if (DSRDUMP) {
      const file = join(dir, 'from-orthanc.dcm');
      writeFileSync(file, Buffer.from(await (await fetch(`${orthanc.api}/instances/${sr!.id}/file`)).arrayBuffer()));
      const dump = spawnSync('dsrdump', ['+Pu', '+Pl', file], { encoding: 'utf8' });
      expect(dump.status, dump.stderr).toBe(0);
      expect(dump.stdout).toContain('(ICH,99ICHTRIAGE,"Intracranial hemorrhage")');
      expect(dump.stdout).toContain(`"Algorithm Name")="${engine.manifest.name}"`);
      expect(dump.stdout).toContain(payload.snapshot.keySlices[0]!.sopInstanceUid);
    }
  }, 60_000);

  it('sends an updated SR by STOW-RS that names the first as its predecessor', async () => {
    const row = await stack.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } });
    await enqueueUpdatedDicomResult(stack.db.prisma, studyId, row.StudyInstanceUID, 'feedback-1', 'clinician disagreement');
    await deliverAll({ stow: { url: `${orthanc.api}/dicom-web/studies` } });

    const [first, second] = await stack.db.prisma.outboxMessage.findMany({ where: { kind: DICOM_RESULTS_KIND }, orderBy: { createdAt: 'asc' } });
    expect(second!.state, second!.lastError ?? '').toBe('delivered');
    const before = dicomResultsPayloadSchema.parse(first!.payload);
    const after = dicomResultsPayloadSchema.parse(second!.payload);
    expect(after.predecessor).toEqual({ seriesInstanceUid: before.sr.seriesInstanceUid, sopInstanceUid: before.sr.sopInstanceUid });
    const sr = await lookup(after.sr.sopInstanceUid);
    expect(sr?.study).toBe(orthancStudy);
    const tags = await orthancGet<Tags>(`/instances/${sr!.id}/simplified-tags`);
    const predecessor = (tags.PredecessorDocumentsSequence as Tags[])[0]!;
    const ref = ((predecessor.ReferencedSeriesSequence as Tags[])[0]!.ReferencedSOPSequence as Tags[])[0]!;
    expect(ref.ReferencedSOPInstanceUID).toBe(before.sr.sopInstanceUid);
    expect((await lookup(String(ref.ReferencedSOPInstanceUID)))?.study, 'the predecessor is in the same study in Orthanc').toBe(orthancStudy);
    expect(tags.InstanceNumber).toBe('2');
    expect((await lookup(resultUid(`${after.sr.sopInstanceUid}:sc`)))?.study, 'the update carries its own picture').toBe(orthancStudy);
  }, 60_000);
});
