/** The RSNA 2019 label order, used everywhere: tensors, outputs, the database, the UI. */
export const LABELS = [
  'any',
  'epidural',
  'intraparenchymal',
  'intraventricular',
  'subarachnoid',
  'subdural',
] as const;

export type Label = (typeof LABELS)[number];

/** The hemorrhage subtypes, i.e. every label except "any". */
export const SUBTYPES = LABELS.slice(1) as readonly Exclude<Label, 'any'>[];

/** Per-label values in LABELS order. */
export type LabelRecord<T> = Record<Label, T>;
