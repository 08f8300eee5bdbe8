// What a file really is, from its bytes: magic numbers via `file-type`, else UTF-8 text.
// The client's file name and Content-Type header are never consulted.
import { fileTypeFromBuffer } from 'file-type';
import { isPlainText } from '../domain/device-file.ts';

/** The sniffed MIME type (`image/png`, `application/gzip`, `text/plain`, …), or undefined when unknown. */
export async function sniffContentType(bytes: Uint8Array): Promise<string | undefined> {
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) return detected.mime;
  return bytes.length > 0 && isPlainText(bytes) ? 'text/plain' : undefined;
}
