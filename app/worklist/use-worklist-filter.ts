'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useState } from 'react';
import { filterToSearch, parseFilter, type WorklistFilter } from './worklist-filter';

/**
 * The worklist filter, kept in the URL query so a reload (or a shared link) shows the same view.
 * The URL is replaced, not pushed: narrowing the list is not a page the Back button should visit.
 */
export function useWorklistFilter(): [WorklistFilter, (next: WorklistFilter) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const [filter, setFilterState] = useState(() => parseFilter(new URLSearchParams(params.toString())));
  const setFilter = useCallback(
    (next: WorklistFilter) => {
      setFilterState(next);
      window.history.replaceState(window.history.state, '', `${pathname}${filterToSearch(next)}`);
    },
    [pathname],
  );
  return [filter, setFilter];
}
