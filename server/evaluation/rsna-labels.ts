import { AppError } from '@/lib/errors';
import { LABELS, type Label } from '@/lib/labels';
import type { Truth } from './metrics';

/** Truth per SOP Instance UID (RSNA's own ids look like ID_0a1b2c3d4), label by label. */
export type LabelTable = Map<string, Record<Label, Truth>>;

const LABEL_SET = new Set<string>(LABELS);

/**
 * Reads an RSNA-2019-format label file: a header `ID,Label`, then rows `<SOPInstanceUID>_<label>,<0|1>`.
 * The label is what follows the last underscore, so ids may contain underscores themselves. A label
 * without a row stays null (unknown) and is left out of that label's metrics.
 */
export function parseRsnaLabels(csv: string): LabelTable {
  const table: LabelTable = new Map();
  const lines = csv.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || (index === 0 && /^id\s*,\s*label$/i.test(line))) return;
    const where = `line ${index + 1}`;
    const cells = line.split(',');
    if (cells.length !== 2) throw new AppError('VALIDATION_FAILED', `${where}: expected "<id>_<label>,<0|1>", got ${cells.length} cells`);
    const [key, value] = cells as [string, string];
    const cut = key.lastIndexOf('_');
    const id = key.slice(0, cut);
    const label = key.slice(cut + 1);
    if (cut <= 0 || !LABEL_SET.has(label)) {
      throw new AppError('VALIDATION_FAILED', `${where}: "${key}" does not end in _<label> with a label among ${LABELS.join(', ')}`);
    }
    const y = Number(value.trim());
    if (y !== 0 && y !== 1) throw new AppError('VALIDATION_FAILED', `${where}: the label value must be 0 or 1, got "${value}"`);
    let row = table.get(id);
    if (!row) {
      row = Object.fromEntries(LABELS.map((l) => [l, null])) as Record<Label, Truth>;
      table.set(id, row);
    }
    row[label as Label] = y;
  });
  return table;
}
