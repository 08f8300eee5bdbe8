// Files attached to a device (images and log files): their metadata, name sanitising and the
// plain-text rule used when sniffing content. The bytes live in a blob store, never here.

export const FILE_KINDS = ['image', 'log'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export interface DeviceFile {
  id: string;
  deviceId: string;
  kind: FileKind;
  /** The client's file name after sanitiseFileName. */
  originalName: string;
  /** Sniffed from the bytes, never taken from the client. */
  contentType: string;
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** Where the bytes are in the blob store. */
  blobKey: string;
  uploadedBy: string;
  uploadedAt: number;
}

export const MAX_FILE_NAME_LENGTH = 200;

// C0, DEL, C1, and the Unicode format characters that reorder or hide text (bidi overrides and
// isolates, marks, zero-width characters): a name like "invoice\u202Efdp.exe" displays as "invoiceexe.pdf".
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A file name that is safe to store, show and send back in Content-Disposition: the last path
 * segment only (no directories, so "../../etc/passwd" is "passwd"), without control or bidi
 * characters, without leading dots or spaces, at most MAX_FILE_NAME_LENGTH characters with the
 * extension kept. An empty result becomes `fallback`.
 */
export function sanitiseFileName(raw: string, fallback = 'file'): string {
  const clean = raw.normalize('NFC').replace(UNSAFE_CHARS, '');
  const base = clean.split(/[/\\]/).pop() ?? '';
  let name = base.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if ([...name].length > MAX_FILE_NAME_LENGTH) {
    const chars = [...name];
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? [...name.slice(dot)].slice(0, 16) : [];
    name = chars.slice(0, MAX_FILE_NAME_LENGTH - ext.length).join('') + ext.join('');
  }
  return name === '' ? fallback : name;
}

/**
 * True when the bytes are UTF-8 text: valid UTF-8 with no NUL and no control characters other than
 * tab, line feed, form feed, carriage return and escape (log lines often carry ANSI colours).
 */
export function isPlainText(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) return false;
    if (b === 0x7f) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The blob key of a file: every file of a device lives under deviceBlobPrefix(deviceId). */
export function fileBlobKey(deviceId: string, fileId: string): string {
  return `${deviceBlobPrefix(deviceId)}${fileId}`;
}

export function deviceBlobPrefix(deviceId: string): string {
  return `devices/${deviceId}/`;
}
