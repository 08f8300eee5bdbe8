// What the device registry tells an external broker that authenticates devices itself (Mosquitto's
// dynamic security plugin). Only DeviceService holds a plaintext API key, and only while it creates
// or rotates one: it hands the key over then, and the broker keeps its own salted hash of it.
import type { DeviceStatus } from '../domain/device.ts';

export interface DeviceCredentialSync {
  /**
   * The device may connect with `apiKey` (a new device, or a rotated key: the old one stops working),
   * unless `status` is `inactive`. Rejects when the broker could not be told.
   */
  keyIssued(deviceId: string, apiKey: string, keyHash: string, status: DeviceStatus): Promise<void>;
  /** The device's status changed: `inactive` is refused by the broker, other statuses are let in. */
  statusChanged(deviceId: string, status: DeviceStatus): Promise<void>;
  /** The device is gone: the broker forgets its client. */
  removed(deviceId: string): Promise<void>;
}
