// Short constructors for the built-in profiles, so each reads as a table of fields and controls.
import { type CommandSpec, type FieldSpec, NO_RETENTION, type ParamSpec, type ProfileDefinition } from './profile.ts';

type FieldExtra = Partial<Omit<FieldSpec, 'key' | 'label' | 'kind'>>;

const field = (key: string, label: string, kind: FieldSpec['kind'], extra: FieldExtra): FieldSpec => ({
  key,
  label,
  kind,
  unit: null,
  min: null,
  max: null,
  retention: NO_RETENTION,
  decimals: null,
  labels: {},
  device_class: null,
  state_class: null,
  ...extra,
});

/** A measured value (temperature, power): a gauge reading with a unit. */
export const measurement = (key: string, label: string, unit: string, extra: FieldExtra = {}): FieldSpec =>
  field(key, label, 'measurement', { unit, state_class: 'measurement', ...extra });

/** An ever-growing total (energy in kWh); `perInterval` for a reading of what was used since the last one. */
export const counter = (key: string, label: string, unit: string, extra: FieldExtra & { perInterval?: boolean } = {}): FieldSpec => {
  const { perInterval, ...rest } = extra;
  return field(key, label, 'counter', { unit, min: 0, state_class: perInterval ? 'total' : 'total_increasing', ...rest });
};

export const flag = (key: string, label: string, on: string, off: string, extra: FieldExtra = {}): FieldSpec =>
  field(key, label, 'boolean', { labels: { true: on, false: off }, ...extra });

export const choice = (key: string, label: string, labels: Record<string, string>, extra: FieldExtra = {}): FieldSpec =>
  field(key, label, 'enum', { labels, ...extra });

export const text = (key: string, label: string): FieldSpec => field(key, label, 'text', {});

export const numberParam = (key: string, label: string, unit: string | null, min: number, max: number): ParamSpec => ({
  key,
  label,
  type: 'number',
  unit,
  min,
  max,
  values: [],
  required: true,
});

export const boolParam = (key: string, label: string): ParamSpec => ({
  key,
  label,
  type: 'boolean',
  unit: null,
  min: null,
  max: null,
  values: [],
  required: true,
});

export const command = (name: string, label: string, ...params: ParamSpec[]): CommandSpec => ({ name, label, params });

/** Battery level, %: shared by every battery-powered device. */
export const battery = () => measurement('battery_level', 'Battery', '%', { min: 0, max: 100, decimals: 0, device_class: 'battery' });

export const profile = (p: Partial<ProfileDefinition> & Pick<ProfileDefinition, 'device_type' | 'name' | 'fields'>): ProfileDefinition => ({
  description: '',
  aliases: [],
  commands: [],
  desired: [],
  open_commands: false,
  retention: NO_RETENTION,
  views: { main_fields: [], charts: [], control: 'generic' },
  ...p,
});
