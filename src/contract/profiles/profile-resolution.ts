// Which profile describes a device: its owner's own profile for the device type (by name, then by
// alias), else the built-in one, else none (the device is unprofiled). The server and the dashboard
// both decide with this one rule.
import { normalizeDeviceType } from './device-type.ts';

interface Describing {
  device_type: string;
  aliases: readonly string[];
}

export function resolveProfile<P extends Describing>(deviceType: string, own: readonly P[], builtins: readonly P[]): P | undefined {
  const type = normalizeDeviceType(deviceType);
  // Both sides normalised: a profile may be saved as "smart-plug" for devices of type "smart_plug".
  const pick = (list: readonly P[]) =>
    list.find((p) => normalizeDeviceType(p.device_type) === type) ?? list.find((p) => p.aliases.some((a) => normalizeDeviceType(a) === type));
  return pick(own) ?? pick(builtins);
}
