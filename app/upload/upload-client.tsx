'use client';

import { useRef, useState, type DragEvent } from 'react';
import { SiteHeader } from '../site-header';
import type { UploadFileResult, UploadReport } from '@/lib/upload';

type State =
  | { phase: 'idle' }
  | { phase: 'sending'; percent: number; count: number }
  | { phase: 'done'; report: UploadReport }
  | { phase: 'refused'; message: string };

const STATUS_STYLE: Record<UploadFileResult['status'], string> = {
  stored: 'text-live',
  duplicate: 'text-muted',
  quarantined: 'text-alert',
  refused: 'text-alert',
  failed: 'text-alert',
};

/** Sends the files as one multipart form; XHR rather than fetch for upload progress. */
function send(files: File[], onProgress: (percent: number) => void): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  for (const file of files) form.append('files', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/upload');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response });
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(form);
  });
}

/** Upload DICOM files or zips of them (drag and drop or pick), then what became of each file. */
export function UploadClient({ user }: { user: { username: string; role: string } }) {
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function upload(list: FileList | null) {
    const files = list ? Array.from(list) : [];
    if (files.length === 0 || state.phase === 'sending') return;
    setState({ phase: 'sending', percent: 0, count: files.length });
    try {
      const { status, body } = await send(files, (percent) => setState({ phase: 'sending', percent, count: files.length }));
      if (status === 401) return window.location.assign('/login');
      if (status === 200) setState({ phase: 'done', report: body as UploadReport });
      else setState({ phase: 'refused', message: (body as { error?: { message?: string } } | null)?.error?.message ?? `the server answered ${status}` });
    } catch {
      setState({ phase: 'refused', message: 'the upload did not reach the server; check the connection and try again' });
    }
    if (input.current) input.current.value = '';
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    void upload(e.dataTransfer.files);
  }

  return (
    <div className="mx-auto flex max-w-5xl flex-col gap-6 p-6">
      <SiteHeader title="Upload studies" subtitle={'DICOM files or .zip archives of them; each goes through the same checks as studies sent by a scanner.'} user={user} current="/upload" />

      <section
        aria-label="Drop files here"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center gap-3 rounded-lg border-2 border-dashed p-10 text-center ${dragging ? 'border-live bg-panel' : 'border-edge'}`}
        data-testid="upload-drop-zone"
      >
        <p>Drag DICOM files or zips here, or</p>
        <label className="cursor-pointer rounded border border-edge px-4 py-2 hover:bg-panel">
          Choose files
          <input ref={input} type="file" multiple className="sr-only" data-testid="upload-input" onChange={(e) => void upload(e.target.files)} />
        </label>
        <p role="status" aria-live="polite" className="text-sm text-muted" data-testid="upload-status">
          {state.phase === 'sending' ? `Sending ${state.count} file${state.count === 1 ? '' : 's'}… ${state.percent}%` : ''}
          {state.phase === 'done' ? summaryText(state.report) : ''}
        </p>
        {state.phase === 'refused' && (
          <p role="alert" className="text-sm text-alert" data-testid="upload-error">
            Upload refused: {state.message}
          </p>
        )}
      </section>

      {state.phase === 'done' && <ResultTable files={state.report.files} />}
    </div>
  );
}

function summaryText(report: UploadReport): string {
  const s = report.summary;
  return `${report.files.length} files: ${s.stored} stored, ${s.duplicate} already here, ${s.quarantined} quarantined, ${s.refused} refused, ${s.failed} failed`;
}

function ResultTable({ files }: { files: UploadFileResult[] }) {
  return (
    <section aria-labelledby="results-title" className="rounded-lg border border-edge bg-panel p-6">
      <h2 id="results-title" className="mb-3 text-lg font-medium">
        Results
      </h2>
      <div className="-mx-2 overflow-x-auto">
        <table className="w-full border-collapse text-left text-sm" data-testid="upload-results">
          <thead className="text-xs uppercase tracking-wide text-muted">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">File</th>
              <th scope="col" className="px-3 py-2 font-medium">Result</th>
              <th scope="col" className="px-3 py-2 font-medium">Reason</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f, i) => (
              <tr key={`${i}:${f.name}`} className="border-t border-edge">
                <td className="break-all px-3 py-2 font-mono">{f.name}</td>
                <td className={`px-3 py-2 ${STATUS_STYLE[f.status]}`}>{f.status}</td>
                <td className="px-3 py-2">{'error' in f ? `${f.error.code}: ${f.error.message}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
