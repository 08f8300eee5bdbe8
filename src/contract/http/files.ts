import { z } from 'zod';
import { pagination } from './common.ts';

export const FILE_FIELD = 'file';

export const fileParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'device ids are 1-64 characters of A-Z a-z 0-9 . _ -'),
  fileId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'file ids are 1-64 characters of A-Z a-z 0-9 _ -'),
});

export const fileListQuery = z.object({ ...pagination });

export const fileView = z.object({
  id: z.string(),
  device_id: z.string(),
  kind: z.enum(['image', 'log']),
  original_name: z.string().describe('The uploaded file name, sanitised: no path, no control or bidi characters'),
  content_type: z.string().describe('Recognised from the bytes, not from the name or the Content-Type header'),
  size: z.number().describe('Bytes'),
  sha256: z.string().describe('Hex SHA-256 of the content'),
  uploaded_by: z.string().describe('User id of the uploader'),
  uploaded_at: z.string(),
  url: z.string().describe('Where to download the content'),
});

export const fileList = z.object({
  device_id: z.string(),
  files: z.array(fileView),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});

export const uploadBody = z
  .unknown()
  .describe(`multipart/form-data with the file in the field "${FILE_FIELD}"`);

export const deleteDeviceQuery = z.object({
  confirm: z
    .string()
    .max(16)
    .optional()
    .describe('Must be "true": deleting a device deletes its telemetry, logs and files for good'),
});
