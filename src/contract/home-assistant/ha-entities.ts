// One Home Assistant discovery config per profile field and control of a device, built from its
// profile (contract/profiles). Measurements and counters become `sensor`s (counters are
// total_increasing so HA's Energy dashboard takes them), booleans `binary_sensor`s; boolean
// desired-state keys become a `switch` (a `lock` on lock profiles), numeric ones a `number`, and a
// thermostat's target a `climate`. Every entity reads the device's one JSON state topic.
import type { FieldSpec, ParamSpec, ProfileDefinition } from '../profiles/profile.ts';
import type { HaComponent, HaTopics } from './ha-topics.ts';
import { haId } from './ha-topics.ts';

export interface HaDevice {
  id: string;
  name: string;
  deviceType: string;
  firmwareVersion: string | null;
  hardwareVersion: string | null;
}

export interface HaEntity {
  component: HaComponent;
  topic: string;
  config: Record<string, unknown>;
}

/** Boolean fields are published as ON/OFF in the state JSON (see haStateValues). */
const ON = 'ON';
const OFF = 'OFF';
const CLIMATE_TARGET = 'target_temperature';
/** State JSON member with the time of each per-interval counter reading (its last_reset). */
const LAST_RESET = '_last_reset';

const valueOf = (key: string) => `{{ value_json[${JSON.stringify(key)}] }}`;

/** device_class values HA accepts for binary sensors; others are left out. */
const BINARY_CLASSES = new Set(['battery', 'battery_charging', 'cold', 'connectivity', 'door', 'garage_door', 'gas', 'heat', 'light', 'lock', 'moisture', 'motion', 'moving', 'occupancy', 'opening', 'plug', 'power', 'presence', 'problem', 'running', 'safety', 'smoke', 'sound', 'tamper', 'update', 'vibration', 'window']);

function sensorConfig(field: FieldSpec): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (field.kind === 'enum') {
    config.device_class = 'enum';
    config.options = Object.keys(field.labels);
    return config;
  }
  if (field.unit) config.unit_of_measurement = field.unit;
  if (field.device_class) config.device_class = field.device_class;
  if (field.kind === 'counter' && field.state_class === 'total') {
    // A per-interval counter (what was used since the last reading): each reading comes with its
    // own last_reset, so HA's Energy dashboard adds every reading in full, once.
    config.state_class = 'total';
    config.last_reset_value_template = `{{ value_json.${LAST_RESET}[${JSON.stringify(field.key)}] }}`;
  } else if (field.kind === 'counter') {
    config.state_class = 'total_increasing';
  } else if (field.state_class) {
    config.state_class = field.state_class;
  }
  if (field.decimals !== null && field.kind !== 'text') config.suggested_display_precision = field.decimals;
  return config;
}

function numberRange(param: ParamSpec): Record<string, unknown> {
  return {
    ...(param.min !== null ? { min: param.min } : {}),
    ...(param.max !== null ? { max: param.max } : {}),
    step: param.type === 'integer' ? 1 : 0.1,
    ...(param.unit ? { unit_of_measurement: param.unit } : {}),
  };
}

export function haEntities(device: HaDevice, profile: ProfileDefinition, topics: HaTopics, origin: { sw_version: string }): HaEntity[] {
  const nodeId = `fluxgate_${haId(device.id)}`;
  const base = (key: string, name: string) => ({
    name,
    unique_id: `${nodeId}_${haId(key)}`,
    availability_topic: topics.availability(device.id),
    device: {
      identifiers: [nodeId],
      name: device.name,
      manufacturer: 'Fluxgate',
      model: profile.name,
      ...(device.firmwareVersion ? { sw_version: device.firmwareVersion } : {}),
      ...(device.hardwareVersion ? { hw_version: device.hardwareVersion } : {}),
    },
    origin: { name: 'Fluxgate', ...origin },
  });
  const stateTopic = topics.state(device.id);
  const fields = new Map(profile.fields.map((f) => [f.key, f]));
  const entities: HaEntity[] = [];
  const add = (component: HaComponent, key: string, config: Record<string, unknown>) => entities.push({ component, topic: topics.config(component, device.id, key), config });
  const controlled = new Set<string>();

  const climate = profile.views.control === 'thermostat' ? profile.desired.find((d) => d.key === CLIMATE_TARGET && d.type === 'number') : undefined;
  if (climate) {
    const current = profile.fields.find((f) => f.device_class === 'temperature' && f.key !== CLIMATE_TARGET);
    const action = profile.fields.find((f) => f.kind === 'boolean' && f.device_class === 'heat');
    add('climate', 'climate', {
      ...base('climate', profile.name),
      modes: ['heat', 'off'],
      mode_command_topic: topics.mode(device.id),
      temperature_command_topic: topics.set(device.id, climate.key),
      ...(fields.has(climate.key) ? { temperature_state_topic: stateTopic, temperature_state_template: valueOf(climate.key) } : {}),
      ...(current ? { current_temperature_topic: stateTopic, current_temperature_template: valueOf(current.key) } : {}),
      ...(action ? { action_topic: stateTopic, action_template: `{{ 'heating' if value_json[${JSON.stringify(action.key)}] == '${ON}' else 'idle' }}` } : {}),
      ...(climate.min !== null ? { min_temp: climate.min } : {}),
      ...(climate.max !== null ? { max_temp: climate.max } : {}),
      temp_step: 0.5,
      temperature_unit: 'C',
    });
    controlled.add(climate.key);
  }

  for (const param of profile.desired) {
    if (controlled.has(param.key)) continue;
    const reported = fields.get(param.key);
    const state = reported ? { state_topic: stateTopic, value_template: valueOf(param.key) } : { optimistic: true };
    if (param.type === 'boolean' && profile.views.control === 'lock') {
      add('lock', param.key, { ...base(param.key, param.label), command_topic: topics.set(device.id, param.key), payload_lock: 'LOCK', payload_unlock: 'UNLOCK', state_locked: ON, state_unlocked: OFF, ...state });
    } else if (param.type === 'boolean') {
      add('switch', param.key, { ...base(param.key, param.label), command_topic: topics.set(device.id, param.key), payload_on: ON, payload_off: OFF, ...state });
    } else if (param.type === 'number' || param.type === 'integer') {
      add('number', param.key, { ...base(param.key, param.label), command_topic: topics.set(device.id, param.key), ...numberRange(param), mode: 'box', ...state });
      continue; // a number's reading stays a sensor too (power, sensitivity)
    } else {
      continue;
    }
    controlled.add(param.key);
  }

  for (const field of profile.fields) {
    if (controlled.has(field.key)) continue;
    const common = { ...base(field.key, field.label), state_topic: stateTopic, value_template: valueOf(field.key) };
    if (field.kind === 'boolean') {
      const deviceClass = field.device_class && BINARY_CLASSES.has(field.device_class) ? { device_class: field.device_class } : {};
      add('binary_sensor', field.key, { ...common, payload_on: ON, payload_off: OFF, ...deviceClass });
    } else {
      add('sensor', field.key, { ...common, ...sensorConfig(field) });
    }
  }
  return entities;
}

/**
 * The state JSON HA reads: the latest value per field (booleans of boolean fields as ON/OFF), and
 * under `_last_reset` the time of each per-interval counter reading.
 */
export function haStateValues(profile: ProfileDefinition | undefined, latest: ReadonlyMap<string, { value: unknown; ts: number }>): Record<string, unknown> {
  const fields = new Map(profile?.fields.map((f) => [f.key, f]));
  const out: Record<string, unknown> = {};
  const resets: Record<string, string> = {};
  for (const [key, { value, ts }] of latest) {
    const field = fields.get(key);
    out[key] = field?.kind === 'boolean' ? (isOn(value) ? ON : OFF) : value;
    if (field?.kind === 'counter' && field.state_class === 'total') resets[key] = new Date(ts).toISOString();
  }
  if (Object.keys(resets).length > 0) out[LAST_RESET] = resets;
  return out;
}

function isOn(value: unknown): boolean {
  if (typeof value === 'string') return ['true', 'on', '1', 'yes'].includes(value.toLowerCase());
  return value === true || (typeof value === 'number' && value !== 0);
}

/** What an HA command payload means for desired state `param`; undefined when it makes no sense. */
export function haCommandValue(param: ParamSpec | undefined, payload: string): unknown {
  const text = payload.trim();
  if (!param || param.type === 'boolean') {
    const upper = text.toUpperCase();
    if (upper === ON || upper === 'LOCK' || upper === 'TRUE') return true;
    if (upper === OFF || upper === 'UNLOCK' || upper === 'FALSE') return false;
    if (param) return undefined;
  }
  if (!param || param.type === 'number' || param.type === 'integer') {
    const n = Number(text);
    if (text !== '' && Number.isFinite(n)) return param?.type === 'integer' ? Math.round(n) : n;
    if (param) return undefined;
  }
  return text;
}
