'use client';

import { useCallback, useEffect, useState } from 'react';
import { adminApi } from './admin-api';

/**
 * A list an admin page shows (`GET path` answering `{ [key]: Row[] }`): loaded on mount, reloaded
 * after each change, with the last error to show. Shared by the users and service-token pages.
 */
export function useAdminList<Row>(path: string, key: string) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const show = useCallback(
    (r: Awaited<ReturnType<typeof adminApi<Record<string, Row[]>>>>) => {
      if (r.ok) setRows(r.data[key] ?? []);
      else setError(r.message);
    },
    [key],
  );
  const load = useCallback(async () => show(await adminApi<Record<string, Row[]>>(path)), [path, show]);
  useEffect(() => {
    let live = true;
    void adminApi<Record<string, Row[]>>(path).then((r) => live && show(r));
    return () => {
      live = false;
    };
  }, [path, show]);

  return { rows, error, setError, load };
}
