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

export const DEVICE_SORTS = ['name', 'device_type', 'last_seen', 'created_at'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

/**
 * What this node knows about connection state beyond the stored last_seen, so storage can judge
 * online/offline in SQL exactly as a device view does: `online` (known connected, or seen here within
 * OFFLINE_AFTER and not yet swept) and `offline` (known disconnected or timed out) win over
 * `last_seen > freshAfter`.
 */
export interface ConnectivityFacts {
  online: readonly string[];
  offline: readonly string[];
  /** now - OFFLINE_AFTER: a stored last_seen above this counts as online. */
  freshAfter: number;
}

/** Devices grouped by status and type, with how many of each group are online. */
export interface DeviceGroupCount {
  status: string;
  deviceType: string;
  total: number;
  online: number;
}

export interface DeviceFilter {
  ownerId?: string;
  /** Only devices this user owns or that are shared with them. */
  visibleTo?: string;
  deviceType?: string;
  location?: string;
  status?: DeviceStatus;
  /** Case-insensitive substring of id, name, description, location or type. */
  text?: string;
  /** Only online (true) or offline (false) devices, judged with `connectivity`. */
  online?: boolean;
  connectivity?: ConnectivityFacts;
  /** Default: created_at desc. Ties are broken by id ascending; never-seen devices sort last by last_seen. */
  sort?: DeviceSort;
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}
