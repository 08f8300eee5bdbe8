// A device's images and log files: upload (owner and control access), list, view an image or read a
// log file, download, delete. The bytes need the bearer token, so they are fetched, not linked.
import { type ChangeEvent, useEffect, useState } from 'react';
import type { DeviceFile, DeviceFileList } from '../api/types.ts';
import { formatBytes, formatTime } from '../lib/format.ts';
import { useAsync } from '../lib/use-async.ts';
import { useApp } from '../session.tsx';
import { ErrorText, Modal } from './ui.tsx';

type Kind = 'images' | 'files';
const TITLES: Record<Kind, string> = { images: 'Images', files: 'Log files' };
const ACCEPT: Record<Kind, string> = { images: 'image/png,image/jpeg,image/gif,image/webp', files: '.log,.txt,.gz,text/plain,application/gzip' };


/** What an opened file shows: the image itself, or the text of a log file (gzip is only downloaded). */
function Viewer({ file, onClose }: { file: DeviceFile; onClose: () => void }) {
  const { api } = useApp();
  const [url, setUrl] = useState<string>();
  const [text, setText] = useState<string>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let objectUrl: string | undefined;
    api.blob(file.url).then(
      async (blob) => {
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
        if (file.content_type.startsWith('text/')) setText((await blob.text()).slice(0, 200_000));
      },
      (err: unknown) => setError(err),
    );
    return () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, file]);
  return (
    <Modal title={file.original_name} onClose={onClose}>
      <ErrorText error={error} />
      {url && file.kind === 'image' && <img src={url} alt={file.original_name} className="file-preview" />}
      {text !== undefined && <pre className="file-text">{text}</pre>}
      <div className="actions">
        {url && (
          <a href={url} download={file.original_name}>
            Download
          </a>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

function FileList({ deviceId, kind, canChange }: { deviceId: string; kind: Kind; canChange: boolean }) {
  const { api } = useApp();
  const base = `/api/v1/devices/${encodeURIComponent(deviceId)}/${kind}`;
  const list = useAsync(() => api.get<DeviceFileList>(`${base}?limit=100`), [api, base]);
  const [open, setOpen] = useState<DeviceFile>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function upload(e: ChangeEvent<HTMLInputElement>) {
    const input = e.target;
    const file = input.files?.[0];
    if (!file) return;
    setError(undefined);
    setBusy(true);
    try {
      await api.upload(base, file, file.name);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      input.value = '';
    }
  }

  async function remove(f: DeviceFile) {
    if (!window.confirm(`Delete ${f.original_name}?`)) return;
    try {
      await api.del(`${base}/${encodeURIComponent(f.id)}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  const files = list.data?.files ?? [];
  return (
    <div className="card" data-testid={`device-${kind}`}>
      <div className="page-head">
        <h2>
          {TITLES[kind]} <span className="muted small">{list.data ? list.data.total : ''}</span>
        </h2>
        {canChange && (
          <label className="button-like">
            {busy ? 'Uploading…' : `Upload ${kind === 'images' ? 'an image' : 'a log file'}`}
            <input type="file" accept={ACCEPT[kind]} onChange={(e) => void upload(e)} disabled={busy} className="sr-only" aria-label={`Upload to ${TITLES[kind]}`} />
          </label>
        )}
      </div>
      <ErrorText error={list.error ?? error} />
      {files.length === 0 && !list.loading ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul className="file-list">
          {files.map((f) => (
            <li key={f.id} data-file={f.original_name}>
              <button type="button" className="link" onClick={() => setOpen(f)}>
                {f.original_name}
              </button>{' '}
              <span className="muted small">
                {f.content_type} · {formatBytes(f.size)} · {formatTime(f.uploaded_at)}
              </span>
              {canChange && (
                <button type="button" className="danger small-button" onClick={() => void remove(f)} aria-label={`Delete ${f.original_name}`}>
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {open && <Viewer file={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

export function FilesPanel({ deviceId, canChange }: { deviceId: string; canChange: boolean }) {
  return (
    <div className="grid2">
      <FileList deviceId={deviceId} kind="images" canChange={canChange} />
      <FileList deviceId={deviceId} kind="files" canChange={canChange} />
    </div>
  );
}
