import { LABELS, type Label, type LabelRecord } from '@/lib/labels';

/** One patient's out-of-fold slice predictions in slice order, with each slice's labels. */
export interface OofPatient {
  patient: string;
  probabilities: LabelRecord<number>[];
  truth: LabelRecord<0 | 1>[];
}

/**
 * Parses models/training/ich-cnn-1.0.0-oof-predictions.csv (`patient,slice,p_<label>...,<label>...`, written by the
 * training recipe) into patients, slices sorted by slice number. Throws with the line on bad input.
 */
export function parseOofPredictions(text: string): OofPatient[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`out-of-fold CSV: missing column "${name}" (header: ${header.join(',')})`);
    return i;
  };
  const patientCol = col('patient');
  const sliceCol = col('slice');
  const pCols = LABELS.map((l) => col(`p_${l}`));
  const yCols = LABELS.map((l) => col(l));
  const byPatient = new Map<string, { slice: number; p: LabelRecord<number>; y: LabelRecord<0 | 1> }[]>();
  lines.forEach((line, n) => {
    const cells = line.split(',');
    const num = (i: number, what: string) => {
      const v = Number(cells[i]);
      if (cells[i] === undefined || cells[i]!.trim() === '' || !Number.isFinite(v)) throw new Error(`out-of-fold CSV line ${n + 2}: ${what} is not a number`);
      return v;
    };
    const p = Object.fromEntries(LABELS.map((l, j) => [l, num(pCols[j]!, `p_${l}`)])) as LabelRecord<number>;
    const y = Object.fromEntries(
      LABELS.map((l, j) => {
        const v = num(yCols[j]!, l);
        if (v !== 0 && v !== 1) throw new Error(`out-of-fold CSV line ${n + 2}: ${l} must be 0 or 1`);
        return [l, v];
      }),
    ) as LabelRecord<0 | 1>;
    const patient = (cells[patientCol] ?? '').trim();
    if (!patient) throw new Error(`out-of-fold CSV line ${n + 2}: empty patient`);
    const list = byPatient.get(patient) ?? [];
    list.push({ slice: num(sliceCol, 'slice'), p, y });
    byPatient.set(patient, list);
  });
  if (byPatient.size === 0) throw new Error('out-of-fold CSV has no rows');
  return [...byPatient].map(([patient, rows]) => {
    rows.sort((a, b) => a.slice - b.slice);
    return { patient, probabilities: rows.map((r) => r.p), truth: rows.map((r) => r.y) };
  });
}

/** A patient's study truth for a label: 1 when any slice has it. */
export function studyTruth(p: OofPatient, label: Label): 0 | 1 {
  return p.truth.some((t) => t[label] === 1) ? 1 : 0;
}
