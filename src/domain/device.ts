export const DEVICE_STATUSES = ['active', 'inactive', 'maintenance'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export interface Device {
  id: string;
  name: string;
  description: string | null;
  deviceType: string;
  location: string | null;
  firmwareVersion: string | null;
  hardwareVersion: string | null;
  status: DeviceStatus;
  metadata: Record<string, unknown>;
  config: Record<string, unknown>;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
  lastSeen: number | null;
  /** Known connection state (MQTT connect/disconnect, OFFLINE_AFTER sweep); absent: judge by lastSeen. */
  online?: boolean;
}

export type NewDevice = Omit<Device, 'createdAt' | 'updatedAt' | 'lastSeen'> & { apiKeyHash: string };

export type DevicePatch = Partial<
  Pick<
    Device,
    | 'name'
    | 'description'
    | 'deviceType'
    | 'location'
    | 'firmwareVersion'
    | 'hardwareVersion'
    | 'status'
    | 'metadata'
    | 'config'
  >
>;

export interface DeviceFilter {
  ownerId?: string;
  /** Only devices this user owns or that are shared with them. */
  visibleTo?: string;
  deviceType?: string;
  location?: string;
  status?: DeviceStatus;
  text?: string;
  limit: number;
  offset: number;
}
