// Every table holding rows of one device, so deleting a device (both adapters) leaves nothing behind.
// A feature that adds such a table adds it here; the storage contract suite checks deletion.

/** Tables with a foreign key to devices(id): emptied before the device row goes. */
export const DEVICE_REFERENCING_TABLES: readonly string[] = ['device_files', 'alarm_events'];

/** Tables keyed by device_id without a foreign key (the telemetry hot path has none). */
export const DEVICE_DATA_TABLES: readonly string[] = [
  'points',
  'chunks',
  'rollup_minute',
  'rollup_hour',
  'series',
  'device_logs',
  'commands',
  'device_state',
  'alarms',
];
