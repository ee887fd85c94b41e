import type { Label } from '@/lib/labels';

/** One colour per label, distinct on the dark panel; "any" in the alert red. */
export const LABEL_COLOURS: Record<Label, string> = {
  any: '#f87171',
  epidural: '#fbbf24',
  intraparenchymal: '#a78bfa',
  intraventricular: '#34d399',
  subarachnoid: '#60a5fa',
  subdural: '#f472b6',
};
