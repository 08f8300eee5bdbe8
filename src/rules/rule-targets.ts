// Which devices a rule watches: those its target names that its owner may read (the one access rule:
// owner, admin, or a share). A device-type target follows the fleet: devices of that type the owner
// may read now.
import type { Device } from '../domain/device.ts';
import type { Rule } from '../domain/rule.ts';
import type { Storage } from '../storage/storage.ts';

/** Most devices one rule watches (a device-type target of a larger fleet watches the first these many). */
export const MAX_RULE_DEVICES = 100_000;

export async function ownerMayRead(storage: Storage, ownerId: string, ownerIsAdmin: boolean, device: Device): Promise<boolean> {
  if (ownerIsAdmin || device.ownerId === ownerId) return true;
  return (await storage.accessLevel(device.id, ownerId)) !== undefined;
}

/** Does `device` fall under the rule's target (ignoring access)? */
export function targets(rule: Rule, device: Device): boolean {
  const t = rule.definition.target;
  if (t.kind === 'device') return t.device_id === device.id;
  if (t.kind === 'devices') return t.device_ids.includes(device.id);
  return t.device_type === device.deviceType;
}

/** The devices a rule watches now. */
export async function resolveTargets(storage: Storage, rule: Rule): Promise<Device[]> {
  const owner = await storage.getUser(rule.ownerId);
  if (!owner) return [];
  const isAdmin = owner.role === 'admin';
  const t = rule.definition.target;
  if (t.kind === 'device_type') {
    const filter = { deviceType: t.device_type, limit: MAX_RULE_DEVICES, offset: 0, sort: 'created_at' as const, order: 'asc' as const };
    return (await storage.listDevices(isAdmin ? filter : { ...filter, visibleTo: owner.id })).items;
  }
  const out: Device[] = [];
  for (const id of new Set(t.kind === 'device' ? [t.device_id] : t.device_ids)) {
    const device = await storage.getDevice(id);
    if (device && (await ownerMayRead(storage, owner.id, isAdmin, device))) out.push(device);
  }
  return out;
}
