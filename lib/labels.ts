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

/** The short names clinicians read on the worklist chips (and type into its search). */
export const SUBTYPE_ABBREVIATIONS: Record<Exclude<Label, 'any'>, string> = {
  epidural: 'EDH',
  intraparenchymal: 'IPH',
  intraventricular: 'IVH',
  subarachnoid: 'SAH',
  subdural: 'SDH',
};
