// GET /api/v1/devices/{id}/home-assistant: whether Home Assistant discovery announces the device.
import { z } from 'zod';
import { HA_DISCOVERY_MODES } from '../home-assistant/ha-discovery-mode.ts';

export const haStatusView = z.object({
  discovery: z.enum(HA_DISCOVERY_MODES).describe('HA_DISCOVERY of this platform: false, true (every device unless opted out) or opt-in'),
  discovery_prefix: z.string().describe('HA_DISCOVERY_PREFIX: where the configs are published'),
  announced: z.boolean().describe('Whether this device is announced (HA_DISCOVERY and its metadata home_assistant)'),
  metadata_key: z.string().describe('The device metadata member that opts it in (true) or out (false)'),
});
export type HaStatusView = z.infer<typeof haStatusView>;
