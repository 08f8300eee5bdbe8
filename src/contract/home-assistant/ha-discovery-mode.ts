// HA_DISCOVERY and the per-device switch (device metadata `home_assistant`): one rule for the
// connector and the dashboard.
export const HA_DISCOVERY_MODES = ['false', 'true', 'opt-in'] as const;
export type HaDiscoveryMode = (typeof HA_DISCOVERY_MODES)[number];

/** The device metadata member that opts a device in (true) or out (false). */
export const HA_METADATA_KEY = 'home_assistant';

export function haDiscoveryFor(mode: HaDiscoveryMode, metadata: Record<string, unknown>): boolean {
  if (mode === 'false') return false;
  const own = metadata[HA_METADATA_KEY];
  return mode === 'true' ? own !== false : own === true;
}
