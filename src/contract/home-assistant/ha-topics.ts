// Home Assistant MQTT discovery topics (docs/home-assistant.md). Discovery configs live under the
// discovery prefix as HA expects: `{prefix}/{component}/fluxgate_{device}/{object}/config`. The
// states HA reads and the commands it sends live in Fluxgate's own tree, one device per folder, so
// the broker can tell from a topic which device it is about:
//   fluxgate/ha/{device_id}/state         retained JSON: the device's latest value per field
//   fluxgate/ha/{device_id}/availability  retained `online` / `offline`
//   fluxgate/ha/{device_id}/set/{key}     HA → Fluxgate: desired state `key`
//   fluxgate/ha/{device_id}/mode          HA → Fluxgate: climate mode (heat → turn_on, off → turn_off)
// Fluxgate's device topics (`devices/{id}/…`) are untouched.

export const HA_TOPIC_BASE = 'fluxgate/ha';
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * HA allows only [a-zA-Z0-9_-] in node and object ids. Device ids and field keys may also hold
 * `.` and `:`; this escape keeps the mapping one-to-one: `_` → `__`, `.` → `_d`, `:` → `_c`.
 */
export function haId(text: string): string {
  return text.replace(/[_.:]/g, (c) => (c === '_' ? '__' : c === '.' ? '_d' : '_c'));
}

export function fromHaId(id: string): string | undefined {
  let out = '';
  for (let i = 0; i < id.length; i++) {
    const c = id[i]!;
    if (c !== '_') {
      out += c;
      continue;
    }
    const next = id[++i];
    if (next === '_') out += '_';
    else if (next === 'd') out += '.';
    else if (next === 'c') out += ':';
    else return undefined;
  }
  return out;
}

export type HaComponent = 'sensor' | 'binary_sensor' | 'switch' | 'number' | 'climate' | 'lock';
export type HaDeviceTopic = { deviceId: string; kind: 'state' | 'availability' | 'mode' } | { deviceId: string; kind: 'set'; key: string };

export class HaTopics {
  readonly prefix: string;

  constructor(discoveryPrefix: string) {
    this.prefix = discoveryPrefix.replace(/^\/+|\/+$/g, '');
  }

  config(component: HaComponent, deviceId: string, objectKey: string): string {
    return `${this.prefix}/${component}/fluxgate_${haId(deviceId)}/${haId(objectKey)}/config`;
  }
  state(deviceId: string): string {
    return `${HA_TOPIC_BASE}/${deviceId}/state`;
  }
  availability(deviceId: string): string {
    return `${HA_TOPIC_BASE}/${deviceId}/availability`;
  }
  set(deviceId: string, key: string): string {
    return `${HA_TOPIC_BASE}/${deviceId}/set/${key}`;
  }
  mode(deviceId: string): string {
    return `${HA_TOPIC_BASE}/${deviceId}/mode`;
  }

  /** Whether a topic filter lies wholly in the discovery prefix or Fluxgate's HA tree (wildcards allowed). */
  covers(filter: string): boolean {
    return [this.prefix, HA_TOPIC_BASE].some((root) => filter === `${root}/#` || filter.startsWith(`${root}/`));
  }

  /** The device a discovery config topic describes. */
  parseConfig(topic: string): string | undefined {
    if (!topic.startsWith(`${this.prefix}/`)) return undefined;
    const parts = topic.slice(this.prefix.length + 1).split('/');
    if (parts.length !== 4 || parts[3] !== 'config' || !parts[1]!.startsWith('fluxgate_')) return undefined;
    const deviceId = fromHaId(parts[1]!.slice('fluxgate_'.length));
    return deviceId !== undefined && DEVICE_ID.test(deviceId) ? deviceId : undefined;
  }

  /** A topic of Fluxgate's HA tree, parsed. */
  parseDevice(topic: string): HaDeviceTopic | undefined {
    if (!topic.startsWith(`${HA_TOPIC_BASE}/`)) return undefined;
    const [deviceId = '', kind, key, ...rest] = topic.slice(HA_TOPIC_BASE.length + 1).split('/');
    if (!DEVICE_ID.test(deviceId) || rest.length > 0) return undefined;
    if (kind === 'set') return key ? { deviceId, kind, key } : undefined;
    if ((kind === 'state' || kind === 'availability' || kind === 'mode') && key === undefined) return { deviceId, kind };
    return undefined;
  }

  /** The device any HA topic is about (config or state/command), else undefined. */
  deviceOf(topic: string): string | undefined {
    return this.parseConfig(topic) ?? this.parseDevice(topic)?.deviceId;
  }
}
