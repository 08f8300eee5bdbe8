import type { CompatSystem } from '../../../contract/compat-systems.ts';
import type { DeviceStatusCache } from '../../../services/device-status-cache.ts';

/** What the compatibility routes need beyond the ordinary HTTP deps (wired by the cli). */
export interface CompatDeps {
  /** The systems COMPAT_APIS turns on. */
  systems: ReadonlySet<CompatSystem>;
  /** IoTFlow's device-status cache. */
  statusCache: DeviceStatusCache;
  /** The MQTT side of this node, for IoTFlow's GET /api/v1/mqtt/status. */
  mqttStatus(): { enabled: boolean; [detail: string]: unknown };
}
