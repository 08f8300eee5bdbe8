// The five systems whose documented HTTP APIs Fluxgate also serves at their own paths
// (src/transport/http/compat/). COMPAT_APIS names them by these ids; the OpenAPI document
// groups each one's routes under a tag named by the system.

export const COMPAT_SYSTEMS = {
  'iot-temperature-control-system': 'IoT Temperature Control System',
  'iot-mock-service': 'IoT Mock Service',
  'smart-home-iot-data-service': 'Smart Home IoT Data Service',
  iotflow: 'IoTFlow',
  'energy-management-system': 'Energy Management System',
} as const;

export type CompatSystem = keyof typeof COMPAT_SYSTEMS;

export const COMPAT_SYSTEM_IDS = Object.keys(COMPAT_SYSTEMS) as CompatSystem[];

/** `all`, `none` or a comma list of system ids; undefined when a name is unknown. */
export function parseCompatSystems(value: string): Set<CompatSystem> | undefined {
  const words = value.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
  if (words.length === 1 && words[0] === 'all') return new Set(COMPAT_SYSTEM_IDS);
  if (words.length === 1 && words[0] === 'none') return new Set();
  const known = new Set<string>(COMPAT_SYSTEM_IDS);
  if (words.length === 0 || words.some((w) => !known.has(w))) return undefined;
  return new Set(words as CompatSystem[]);
}
