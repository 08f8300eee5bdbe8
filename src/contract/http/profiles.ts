import { z } from 'zod';
import { profileView } from '../profiles/profile.ts';

export const profileIdParam = z.object({ id: z.string().min(1).max(64) });

export const copyProfileBody = z
  .object({
    device_type: z.string().max(50).optional().describe('Device type of the copy (default: the source\'s)'),
    name: z.string().max(100).optional(),
  })
  .default({});

export const deviceProfileView = z.object({
  device_id: z.string(),
  device_type: z.string(),
  profile: profileView.nullable().describe('null: no profile describes this device type (its data is still stored and shown)'),
  unprofiled_fields: z.array(z.string()).describe('Fields the device has sent that its profile does not describe'),
  access: z.enum(['owner', 'admin', 'control', 'read']).describe('What the caller may do: control (and owner, admin) may send commands and set desired state'),
});
