import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIchSr, COMPREHENSIVE_SR, RESEARCH_DISCLAIMER } from './build-ich-sr';
import type { IchResult } from './ich-result';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const SERIES = '2.25.500';
const slices = [1, 2, 3, 4].map((n) => ({ sopClassUid: CT, sopInstanceUid: `2.25.500.${n}`, seriesInstanceUid: SERIES }));

const flaggedResult = (): IchResult => ({
  studyInstanceUid: '2.25.400',
  patientStudy: { PatientName: 'Müller^Jörg', PatientID: 'P-77', PatientSex: 'M', StudyDate: '20261201', StudyTime: '101500', AccessionNumber: 'ACC9', StudyID: '1', Modality: 'CT', SeriesInstanceUID: SERIES },
  algorithm: { name: 'ich-resnet', version: '1.0.0' },
  finding: { probability: 0.81234567, threshold: 0.2248, pointSource: 'manifest', targetSensitivity: 0.95, flagged: true },
  suspected: [{ label: 'intraparenchymal', probability: 0.31, threshold: 0.04 }],
  keySlices: [
    { ...slices[2]!, label: 'any' },
    { ...slices[1]!, label: 'intraparenchymal' },
  ],
  evidence: slices,
  decidedAt: new Date('2026-12-01T10:20:30Z'),
});
const ids = { seriesInstanceUid: '2.25.600', sopInstanceUid: '2.25.600.1', instanceNumber: 1 };
const software = { manufacturer: 'ich-triage', softwareVersion: '0.1.0', aeTitle: 'ICHTRIAGE' };

type Natural = Record<string, unknown> & { ContentSequence?: Natural[] };
function read(bytes: Uint8Array): Natural {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) as Natural;
}
/** Every content item of the tree, depth first. */
function items(node: Natural): Natural[] {
  return (node.ContentSequence ?? []).flatMap((c) => [c, ...items(c)]);
}
const meaning = (n: Natural) => (n.ConceptNameCodeSequence as Natural[] | Natural | undefined) && ([n.ConceptNameCodeSequence].flat()[0] as Natural).CodeMeaning;

const DSRDUMP = spawnSync('dsrdump', ['--version']).status === 0;
if (!DSRDUMP) console.warn("skipping dsrdump checks: dcmtk is not installed (apt-get install dcmtk)");
const dir = mkdtempSync(join(tmpdir(), 'ich-sr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildIchSr', () => {
  it('files the SR in the study of its images, with their patient and study attributes', () => {
    const ds = read(buildIchSr(flaggedResult(), ids, software));
    expect(ds.SOPClassUID).toBe(COMPREHENSIVE_SR);
    expect(ds.SOPInstanceUID).toBe('2.25.600.1');
    expect(ds.SeriesInstanceUID).toBe('2.25.600');
    expect(ds.Modality).toBe('SR');
    expect(ds.StudyInstanceUID).toBe('2.25.400');
    expect(ds.PatientID).toBe('P-77');
    expect(ds.AccessionNumber).toBe('ACC9');
    expect(ds.StudyDate).toBe('20261201');
    expect(ds.CompletionFlag).toBe('COMPLETE');
    expect(ds.VerificationFlag).toBe('UNVERIFIED');
    expect(ds.ContentDate).toBe('20261201');
    expect(ds.ContentTime).toBe('102030');
    // Not copied: the image's own series and modality.
    expect(ds.SeriesInstanceUID).not.toBe(SERIES);
    const evidence = [ds.CurrentRequestedProcedureEvidenceSequence].flat()[0] as Natural;
    expect(evidence.StudyInstanceUID).toBe('2.25.400');
    const series = [evidence.ReferencedSeriesSequence].flat()[0] as Natural;
    expect(series.SeriesInstanceUID).toBe(SERIES);
    expect([series.ReferencedSOPSequence].flat().map((r) => (r as Natural).ReferencedSOPInstanceUID)).toEqual(slices.map((s) => s.sopInstanceUid));
    expect(ds.PredecessorDocumentsSequence).toBeUndefined();
  });

  it('says the algorithm, the finding with probability, the operating point, the flag, the subtype and the key slices', () => {
    const ds = read(buildIchSr(flaggedResult(), ids, software));
    const all = items(ds);
    const text = (name: string) => all.find((i) => meaning(i) === name)?.TextValue;
    expect(text('Algorithm Name')).toBe('ich-resnet');
    expect(text('Algorithm Version')).toBe('1.0.0');
    // dcmjs 0.52 mis-decodes UTF-8 text inside sequences (the dash); dsrdump below reads it as written.
    expect(text('Comment')).toMatch(/^AI research result .* not for diagnosis$/);
    const findings = all.filter((i) => meaning(i) === 'Finding').map((i) => ([i.ConceptCodeSequence].flat()[0] as Natural).CodeMeaning);
    expect(findings).toEqual(['Intracranial hemorrhage', 'Intraparenchymal hemorrhage']);
    const nums = all.filter((i) => i.ValueType === 'NUM').map((i) => [meaning(i), Number(([i.MeasuredValueSequence].flat()[0] as Natural).NumericValue)]);
    expect(nums).toEqual([
      ['Probability', 0.812346],
      ['Operating point threshold', 0.2248],
      ['Probability', 0.31],
      ['Operating point threshold', 0.04],
    ]);
    const flagged = all.find((i) => meaning(i) === 'Flagged for urgent review')!;
    expect(([flagged.ConceptCodeSequence].flat()[0] as Natural).CodeMeaning).toBe('Yes');
    const images = all.filter((i) => i.ValueType === 'IMAGE').map((i) => ([i.ReferencedSOPSequence].flat()[0] as Natural).ReferencedSOPInstanceUID);
    // Twice each: in the image library and as what each probability was inferred from.
    expect(images.sort()).toEqual(['2.25.500.2', '2.25.500.2', '2.25.500.3', '2.25.500.3']);
  });

  it('an updated result names the SR it replaces', () => {
    const previous = { sopClassUid: COMPREHENSIVE_SR, sopInstanceUid: '2.25.600.1', seriesInstanceUid: '2.25.600' };
    const ds = read(buildIchSr({ ...flaggedResult(), reason: 'clinician disagreement' }, { seriesInstanceUid: '2.25.601', sopInstanceUid: '2.25.601.1', instanceNumber: 2, predecessor: previous }, software));
    const pred = [ds.PredecessorDocumentsSequence].flat()[0] as Natural;
    expect(pred.StudyInstanceUID).toBe('2.25.400');
    const series = [pred.ReferencedSeriesSequence].flat()[0] as Natural;
    expect(series.SeriesInstanceUID).toBe('2.25.600');
    expect(([series.ReferencedSOPSequence].flat()[0] as Natural).ReferencedSOPInstanceUID).toBe('2.25.600.1');
    expect(items(ds).find((i) => meaning(i) === 'Reason for this result')?.TextValue).toBe('clinician disagreement');
    expect(ds.InstanceNumber).toBe(2);
  });

  it('refuses a result it cannot state truthfully', () => {
    const r = flaggedResult();
    expect(() => buildIchSr({ ...r, finding: { ...r.finding, flagged: false } }, ids, software)).toThrow(/flagged.*disagrees/);
    expect(() => buildIchSr({ ...r, finding: { ...r.finding, probability: Number.NaN } }, ids, software)).toThrow(/0\.\.1/);
    expect(() => buildIchSr({ ...r, evidence: [] }, ids, software)).toThrow(/no image/);
    expect(() => buildIchSr({ ...r, keySlices: [{ ...slices[0]!, sopInstanceUid: '2.25.9', label: 'any' }] }, ids, software)).toThrow(/key slice of any/);
    const notFlagged = { ...r.finding, probability: 0.1, flagged: false };
    expect(() => buildIchSr({ ...r, finding: notFlagged }, ids, software)).toThrow(/suspected intraparenchymal on a study that is not flagged/);
  });

  it.skipIf(!DSRDUMP)('dcmtk dsrdump reads it without complaint and shows the finding and the algorithm', () => {
    const r = flaggedResult();
    const file = join(dir, 'sr.dcm');
    writeFileSync(file, buildIchSr(r, ids, software));
    const dump = spawnSync('dsrdump', ['+Pn', '+Pu', '+Pl', file], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    // The only remark allowed: dcmtk's VR checker cannot check UTF-8 strings (it still parses them).
    expect(dump.stderr.trim()).toBe('W: The VR checker does not support this Specific Character Set: ISO_IR 192');
    expect(dump.stdout).toContain('Comprehensive SR Document');
    expect(dump.stdout).toContain('"Intracranial hemorrhage"');
    expect(dump.stdout).toContain('"ich-resnet"');
    expect(dump.stdout).toContain(RESEARCH_DISCLAIMER);
    expect(dump.stdout).toMatch(/Probability.*="0\.812346"/);

    const notFlagged = { ...r, finding: { ...r.finding, probability: 0.1, flagged: false }, suspected: [], keySlices: [r.keySlices[0]!] };
    writeFileSync(file, buildIchSr(notFlagged, ids, software));
    const second = spawnSync('dsrdump', [file], { encoding: 'utf8' });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/^E:/m);
    expect(second.stdout).toMatch(/Flagged for urgent review"\)=\(373067005,SCT,"No"\)/);
  });
});
