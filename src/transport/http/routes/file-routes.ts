// Device images and log files over HTTP: multipart upload, list, download, delete. Multipart
// parsing is registered in this scope only; the size limit is FILE_MAX_BYTES.
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { FluxgateError } from '../../../contract/errors.ts';
import { errorResponse } from '../../../contract/http/common.ts';
import { deviceIdParam } from '../../../contract/http/devices.ts';
import { FILE_FIELD, fileList, fileListQuery, fileParams, fileView, uploadBody } from '../../../contract/http/files.ts';
import type { DeviceFile, FileKind } from '../../../domain/device-file.ts';
import { contentDisposition } from '../content-disposition.ts';
import type { HttpDeps } from '../http-deps.ts';
import { requireUser } from '../request-auth.ts';

const COLLECTIONS: ReadonlyArray<{ segment: string; kind: FileKind; words: string }> = [
  { segment: 'images', kind: 'image', words: 'image' },
  { segment: 'files', kind: 'log', words: 'log file' },
];

export function fileToView(f: DeviceFile, segment: string) {
  return {
    id: f.id,
    device_id: f.deviceId,
    kind: f.kind,
    original_name: f.originalName,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256,
    uploaded_by: f.uploadedBy,
    uploaded_at: new Date(f.uploadedAt).toISOString(),
    url: `/api/v1/devices/${f.deviceId}/${segment}/${f.id}`,
  };
}

/** A multipart parsing failure as the client's error: too large, a second file, or a malformed body. */
function uploadError(err: unknown, maxBytes: number): unknown {
  if (err instanceof FluxgateError) return err;
  const { code, statusCode } = err as { code?: string; statusCode?: number };
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new FluxgateError('PAYLOAD_TOO_LARGE', `${FILE_FIELD}: larger than the limit of ${maxBytes} bytes`, { limit_bytes: maxBytes });
  }
  if (code === 'FST_FILES_LIMIT') {
    return new FluxgateError('VALIDATION_FAILED', `${FILE_FIELD}: one file per upload (limit: 1 file); send the others in requests of their own`, {
      field: FILE_FIELD,
      limit_files: 1,
    });
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return err;
  // Everything else busboy raises is about the bytes sent: no boundary, a body cut off, a bad part header.
  return new FluxgateError('VALIDATION_FAILED', `The multipart body is malformed: ${(err as Error).message}`);
}

/** Reads the whole multipart body: exactly one file, in the field FILE_FIELD. */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<{ fileName: string; bytes: Buffer }> {
  if (!request.isMultipart()) {
    throw new FluxgateError('UNSUPPORTED_MEDIA_TYPE', `Send multipart/form-data with the file in the field "${FILE_FIELD}"`);
  }
  const wrongField = new FluxgateError('VALIDATION_FAILED', `${FILE_FIELD}: send the file in the multipart field "${FILE_FIELD}"`, { field: FILE_FIELD });
  let upload: { fileName: string; bytes: Buffer } | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes } })) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== FILE_FIELD) throw wrongField;
      upload = { fileName: part.filename, bytes: await part.toBuffer() };
    }
  } catch (err) {
    throw uploadError(err, maxBytes);
  }
  if (!upload) throw wrongField;
  return upload;
}

export async function fileRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const maxBytes = deps.files.rules.maxBytes;
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      // Our own sanitiser sees the name as sent, path and all, so one rule decides what is kept.
      preservePath: true,
      limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 50 },
    });
    const r = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['files'];
    const security = [{ bearer: [] }];

    for (const { segment, kind, words } of COLLECTIONS) {
      r.post(
        `/api/v1/devices/:id/${segment}`,
        {
          schema: {
            tags,
            summary: `Upload a device ${words} (multipart field "${FILE_FIELD}"; owner or control access)`,
            security,
            consumes: ['multipart/form-data'],
            params: deviceIdParam,
            body: uploadBody,
            response: { 201: fileView, 413: errorResponse, 415: errorResponse },
          },
          validatorCompiler: () => (data) => ({ value: data }),
        },
        async (request, reply) => {
          const principal = await requireUser(deps.auth, request);
          // Refuse before reading the body: nobody without access gets to make us buffer a file.
          await deps.access.require(principal, request.params.id, 'control');
          const upload = await readUpload(request, maxBytes);
          const file = await deps.files.upload(principal, request.params.id, kind, upload);
          return reply.code(201).send(fileToView(file, segment));
        },
      );

      r.get(
        `/api/v1/devices/:id/${segment}`,
        {
          schema: { tags, summary: `List a device's ${words}s, newest first`, security, params: deviceIdParam, querystring: fileListQuery, response: { 200: fileList } },
        },
        async (request) => {
          const { id } = request.params;
          const { limit, offset } = request.query;
          const page = await deps.files.list(await requireUser(deps.auth, request), id, kind, { limit, offset });
          return { device_id: id, files: page.items.map((f) => fileToView(f, segment)), total: page.total, limit, offset };
        },
      );

      r.get(
        `/api/v1/devices/:id/${segment}/:fileId`,
        { schema: { tags, summary: `Download a device ${words} with its recognised content type`, security, params: fileParams } },
        async (request, reply) => {
          const { id, fileId } = request.params;
          const { file, content } = await deps.files.open(await requireUser(deps.auth, request), id, kind, fileId);
          return reply
            .header('content-type', file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType)
            .header('content-length', String(file.size))
            .header('content-disposition', contentDisposition(kind === 'image' ? 'inline' : 'attachment', file.originalName))
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .header('etag', `"${file.sha256}"`)
            .send(content);
        },
      );

      r.delete(
        `/api/v1/devices/:id/${segment}/:fileId`,
        { schema: { tags, summary: `Delete a device ${words} (owner or control access)`, security, params: fileParams } },
        async (request, reply) => {
          const { id, fileId } = request.params;
          await deps.files.remove(await requireUser(deps.auth, request), id, kind, fileId);
          return reply.code(204).send();
        },
      );
    }
  });
}
