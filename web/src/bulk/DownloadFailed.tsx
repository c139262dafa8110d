// The failed rows as they were uploaded, with a reason column, to fix and upload again.
import { useEffect, useMemo } from 'react';
import type { ProjectRole } from '@invites/client';
import { toCsv } from '../csv';
import { plural, reasonText, uploadedRows, type Failed } from './rows';

export function DownloadFailed({ failed, csvText, fileName, roles }: { failed: Failed[]; csvText: string; fileName: string; roles: readonly ProjectRole[] }) {
  const href = useMemo(() => {
    const { header, rows } = uploadedRows(failed, csvText);
    const csv = toCsv([[...header, 'reason'], ...rows.map((cells, i) => [...cells, reasonText(failed[i]!, roles)])]);
    return URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  }, [failed, csvText, roles]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  const base = fileName.replace(/\.csv$/i, '') || 'invites';
  return (
    <p><a className="button secondary" href={href} download={`${base}-failed.csv`}>Download the {failed.length} failed {plural(failed.length, 'row')} as CSV</a></p>
  );
}
