import type { KeyGroup } from '../keyboard-help';

/** The worklist's key legend (what app/worklist/use-worklist-keys.ts and the toolbar do). */
export const WORKLIST_KEYS: KeyGroup[] = [
  {
    title: 'Worklist',
    keys: [
      { keys: ['j', '↓'], what: 'Next study (from anywhere on the page: the first one)' },
      { keys: ['k', '↑'], what: 'Previous study' },
      { keys: ['Home', 'End'], what: 'First / last study' },
      { keys: ['Enter'], what: 'Open the selected study (the most urgent when none is selected)' },
      { keys: ['/'], what: 'Search' },
      { keys: ['Esc'], what: 'Clear the search (in the search box)' },
      { keys: ['?'], what: 'This legend' },
    ],
  },
];
