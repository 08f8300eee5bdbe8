// Built-in profiles: every device type of the five systems Fluxgate replaces, with the units their
// documents imply. The IoT Mock Service's energy loads report power in kW; the Smart Home IoT Data
// Service's smart plug in W. Built-ins can be copied, not edited.
import {
  battery,
  boolParam,
  choice,
  command,
  counter,
  flag,
  measurement,
  numberParam,
  profile,
} from './profile-builders.ts';
import { normalizeDeviceType } from './device-type.ts';
import type { ProfileDefinition } from './profile.ts';

const TARGET_MIN_C = 5;
const TARGET_MAX_C = 35;
const ENERGY_LOAD_MAX_KW = 10_000;
const PLUG_MAX_W = 3_680;

const onOff = [command('turn_on', 'Turn on'), command('turn_off', 'Turn off')];

const temperature = () => measurement('temperature', 'Temperature', '°C', { min: -30, max: 60, decimals: 1, device_class: 'temperature' });
const humidity = () => measurement('humidity', 'Humidity', '%', { min: 0, max: 100, decimals: 0, device_class: 'humidity' });
const pressure = () => measurement('pressure', 'Pressure', 'hPa', { min: 870, max: 1085, decimals: 0, device_class: 'atmospheric_pressure' });

const thermostat = profile({
  device_type: 'thermostat',
  name: 'Thermostat',
  description: 'Room thermostat: reads temperature, humidity and pressure, heats towards a target (IoT Temperature Control System, Smart Home IoT Data Service).',
  fields: [
    temperature(),
    measurement('target_temperature', 'Target', '°C', { min: TARGET_MIN_C, max: TARGET_MAX_C, decimals: 1, device_class: 'temperature' }),
    humidity(),
    pressure(),
    flag('heating', 'Heating', 'heating', 'idle', { device_class: 'heat' }),
  ],
  commands: [command('set_target_temperature', 'Set target', numberParam('temperature', 'Target temperature', '°C', TARGET_MIN_C, TARGET_MAX_C)), ...onOff],
  desired: [numberParam('target_temperature', 'Target temperature', '°C', TARGET_MIN_C, TARGET_MAX_C)],
  views: {
    main_fields: ['temperature', 'target_temperature', 'humidity'],
    charts: [
      { title: 'Temperature and target', fields: ['temperature', 'target_temperature'] },
      { title: 'Humidity', fields: ['humidity'] },
      { title: 'Pressure', fields: ['pressure'] },
    ],
    control: 'thermostat',
  },
});

const camera = profile({
  device_type: 'camera',
  name: 'Security camera',
  description: 'Camera reporting motion and scene brightness, with recording on demand (Smart Home IoT Data Service).',
  fields: [
    flag('motion_detected', 'Motion', 'motion', 'clear', { device_class: 'motion' }),
    measurement('brightness', 'Brightness', '%', { min: 0, max: 100, decimals: 0 }),
    flag('recording', 'Recording', 'recording', 'idle'),
    flag('power_on', 'Power', 'on', 'off', { device_class: 'power' }),
  ],
  commands: [...onOff, command('start_recording', 'Start recording'), command('stop_recording', 'Stop recording')],
  desired: [boolParam('recording', 'Recording')],
  views: {
    main_fields: ['motion_detected', 'recording', 'brightness'],
    charts: [{ title: 'Brightness', fields: ['brightness'] }, { title: 'Motion', fields: ['motion_detected'] }],
    control: 'switch',
  },
});

const motionSensor = profile({
  device_type: 'motion_sensor',
  name: 'Motion sensor',
  description: 'Battery-powered motion detector with adjustable sensitivity (Smart Home IoT Data Service).',
  fields: [
    flag('motion_detected', 'Motion', 'motion', 'clear', { device_class: 'motion' }),
    measurement('sensitivity', 'Sensitivity', '%', { min: 1, max: 100, decimals: 0 }),
    battery(),
  ],
  commands: [command('set_sensitivity', 'Set sensitivity', numberParam('sensitivity', 'Sensitivity', '%', 1, 100)), command('replace_battery', 'Battery replaced')],
  desired: [numberParam('sensitivity', 'Sensitivity', '%', 1, 100)],
  views: { main_fields: ['motion_detected', 'battery_level', 'sensitivity'], charts: [{ title: 'Motion', fields: ['motion_detected'] }, { title: 'Battery', fields: ['battery_level'] }], control: 'generic' },
});

const doorLock = profile({
  device_type: 'door_lock',
  name: 'Door lock',
  description: 'Battery-powered smart lock (Smart Home IoT Data Service).',
  fields: [flag('locked', 'Lock', 'locked', 'unlocked', { device_class: 'lock' }), battery()],
  commands: [command('lock', 'Lock'), command('unlock', 'Unlock'), command('replace_battery', 'Battery replaced')],
  desired: [boolParam('locked', 'Locked')],
  views: { main_fields: ['locked', 'battery_level'], charts: [{ title: 'Lock', fields: ['locked'] }, { title: 'Battery', fields: ['battery_level'] }], control: 'lock' },
});

const smartPlug = profile({
  device_type: 'smart_plug',
  name: 'Smart plug',
  description: 'Switchable socket metering the power of what is plugged in, in W (Smart Home IoT Data Service).',
  aliases: ['plug'],
  fields: [
    flag('power_on', 'Switch', 'on', 'off', { device_class: 'power' }),
    measurement('power', 'Power', 'W', { min: 0, max: PLUG_MAX_W, decimals: 1, device_class: 'power' }),
    counter('energy_usage', 'Energy', 'kWh', { perInterval: true, decimals: 4, device_class: 'energy' }),
  ],
  commands: [...onOff, command('set_power', 'Set load', numberParam('power', 'Load', 'W', 0, PLUG_MAX_W))],
  desired: [boolParam('power_on', 'Power on')],
  views: { main_fields: ['power_on', 'power'], charts: [{ title: 'Power', fields: ['power'] }, { title: 'Energy', fields: ['energy_usage'] }], control: 'switch' },
});

/** The IoT Mock Service's energy loads: power in kW, voltage, current, cumulative energy. */
function energyLoad(device_type: string, name: string, typicalMaxKw: number, aliases: string[]): ProfileDefinition {
  return profile({
    device_type,
    name,
    description: `${name} metered for energy tracking: power (kW), voltage, current and cumulative energy (IoT Mock Service).`,
    aliases,
    fields: [
      measurement('power', 'Power', 'kW', { min: 0, max: typicalMaxKw, decimals: 2, device_class: 'power' }),
      measurement('voltage', 'Voltage', 'V', { min: 207, max: 253, decimals: 1, device_class: 'voltage' }),
      measurement('current', 'Current', 'A', { min: 0, decimals: 2, device_class: 'current' }),
      counter('energy', 'Energy', 'kWh', { decimals: 2, device_class: 'energy' }),
      choice('status', 'Status', { online: 'online', offline: 'offline', error: 'error' }),
      flag('enabled', 'Enabled', 'enabled', 'disabled'),
    ],
    commands: [
      command('set_power', 'Set power', numberParam('power', 'Power', 'kW', 0, ENERGY_LOAD_MAX_KW)),
      ...onOff,
      command('enable', 'Enable'),
      command('disable', 'Disable'),
      command('reset_energy', 'Reset energy counter'),
    ],
    desired: [boolParam('enabled', 'Enabled'), numberParam('power', 'Power', 'kW', 0, ENERGY_LOAD_MAX_KW)],
    views: {
      main_fields: ['power', 'energy', 'enabled'],
      charts: [
        { title: 'Power', fields: ['power'] },
        { title: 'Voltage and current', fields: ['voltage', 'current'] },
        { title: 'Energy', fields: ['energy'] },
      ],
      control: 'switch',
    },
  });
}

const smartMeter = profile({
  device_type: 'smart_meter',
  name: 'Smart meter',
  description: 'Household meter reporting the energy used in each interval, in kWh (Energy Management System).',
  aliases: ['meter', 'energy_meter'],
  fields: [counter('energy_usage', 'Energy used', 'kWh', { perInterval: true, decimals: 3, device_class: 'energy' })],
  commands: [command('set_base_load', 'Set base load', numberParam('base_load', 'Base load', 'kWh', 0, 1_000))],
  desired: [numberParam('base_load', 'Base load', 'kWh', 0, 1_000)],
  views: { main_fields: ['energy_usage'], charts: [{ title: 'Energy used', fields: ['energy_usage'] }], control: 'generic' },
});

const sensor = profile({
  device_type: 'sensor',
  name: 'Environmental sensor',
  description: 'IoTFlow sensor reporting temperature, humidity, pressure and battery; takes any command.',
  aliases: ['smart_sensor', 'temperature_sensor', 'environmental_sensor'],
  fields: [temperature(), humidity(), pressure(), battery()],
  open_commands: true,
  views: { main_fields: ['temperature', 'humidity', 'battery_level'], charts: [{ title: 'Temperature', fields: ['temperature'] }, { title: 'Humidity', fields: ['humidity'] }], control: 'generic' },
});

const actuator = profile({
  device_type: 'actuator',
  name: 'Actuator',
  description: 'IoTFlow actuator: a switchable output; takes any command.',
  fields: [flag('state', 'State', 'on', 'off'), battery()],
  commands: onOff,
  desired: [boolParam('state', 'On')],
  open_commands: true,
  views: { main_fields: ['state'], charts: [{ title: 'State', fields: ['state'] }], control: 'switch' },
});

export const BUILTIN_PROFILES: readonly ProfileDefinition[] = [
  thermostat,
  camera,
  motionSensor,
  doorLock,
  smartPlug,
  energyLoad('hvac', 'HVAC system', 60, []),
  energyLoad('led_lighting', 'LED lighting', 20, ['lighting']),
  energyLoad('server_rack', 'Server rack', 100, ['server']),
  energyLoad('production_line', 'Production line', 250, ['industrial']),
  energyLoad('kitchen_equipment', 'Kitchen equipment', 40, ['appliance']),
  smartMeter,
  sensor,
  actuator,
];

const BUILTIN_BY_TYPE = new Map<string, ProfileDefinition>(
  BUILTIN_PROFILES.flatMap((p) => [p.device_type, ...p.aliases].map((type) => [type, p] as const)),
);

/** The built-in profile describing a device type (by its name or an alias), if any. */
export function builtinProfileFor(deviceType: string): ProfileDefinition | undefined {
  return BUILTIN_BY_TYPE.get(normalizeDeviceType(deviceType));
}
