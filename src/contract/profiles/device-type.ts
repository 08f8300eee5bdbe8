// How device types compare, in a file of its own (no zod) so the dashboard can use it cheaply.

/** Device types compare case- and separator-insensitively: "Motion Sensor" is motion_sensor. */
export function normalizeDeviceType(type: string): string {
  return type.trim().toLowerCase().replace(/[\s-]+/g, '_');
}
