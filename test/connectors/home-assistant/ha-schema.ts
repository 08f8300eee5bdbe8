// What Home Assistant's MQTT integration accepts in a discovery payload, per component, written
// from its schemas (homeassistant/components/mqtt/{sensor,binary_sensor,switch,number,climate,lock}.py,
// MQTT_BASE_SCHEMA, MQTT_ENTITY_COMMON_SCHEMA and the device registry schema in mqtt/schemas.py).
// Discovery drops keys it does not know (vol.REMOVE_EXTRA), so an unknown key here is our bug:
// a setting we think we made that HA ignores.
import assert from 'node:assert/strict';

const COMMON = [
  'name', 'unique_id', 'object_id', 'default_entity_id', 'device', 'origin', 'icon', 'entity_picture', 'entity_category', 'enabled_by_default',
  'availability', 'availability_topic', 'availability_mode', 'availability_template', 'payload_available', 'payload_not_available',
  'json_attributes_topic', 'json_attributes_template', 'encoding', 'qos',
];
const DEVICE = ['identifiers', 'connections', 'manufacturer', 'model', 'model_id', 'name', 'sw_version', 'hw_version', 'serial_number', 'suggested_area', 'via_device', 'configuration_url'];

interface ComponentSchema {
  required: string[];
  allowed: string[];
  topics: string[];
}

export const HA_SCHEMAS: Record<string, ComponentSchema> = {
  sensor: {
    required: ['state_topic'],
    allowed: ['state_topic', 'value_template', 'unit_of_measurement', 'device_class', 'state_class', 'suggested_display_precision', 'expire_after', 'force_update', 'last_reset_value_template', 'options'],
    topics: ['state_topic'],
  },
  binary_sensor: {
    required: ['state_topic'],
    allowed: ['state_topic', 'value_template', 'payload_on', 'payload_off', 'device_class', 'expire_after', 'force_update', 'off_delay'],
    topics: ['state_topic'],
  },
  switch: {
    required: ['command_topic'],
    allowed: ['command_topic', 'state_topic', 'value_template', 'payload_on', 'payload_off', 'state_on', 'state_off', 'optimistic', 'retain', 'device_class', 'command_template'],
    topics: ['command_topic', 'state_topic'],
  },
  number: {
    required: ['command_topic'],
    allowed: ['command_topic', 'command_template', 'state_topic', 'value_template', 'min', 'max', 'step', 'mode', 'unit_of_measurement', 'device_class', 'optimistic', 'retain', 'payload_reset'],
    topics: ['command_topic', 'state_topic'],
  },
  lock: {
    required: ['command_topic'],
    allowed: ['command_topic', 'command_template', 'state_topic', 'value_template', 'payload_lock', 'payload_unlock', 'payload_open', 'state_locked', 'state_unlocked', 'state_locking', 'state_unlocking', 'state_jammed', 'optimistic', 'retain', 'code_format'],
    topics: ['command_topic', 'state_topic'],
  },
  climate: {
    required: [],
    allowed: [
      'action_topic', 'action_template', 'current_temperature_topic', 'current_temperature_template', 'current_humidity_topic', 'current_humidity_template',
      'mode_command_topic', 'mode_command_template', 'mode_state_topic', 'mode_state_template', 'modes', 'optimistic', 'precision', 'retain',
      'temperature_command_topic', 'temperature_command_template', 'temperature_state_topic', 'temperature_state_template', 'temperature_unit',
      'min_temp', 'max_temp', 'temp_step', 'initial', 'power_command_topic', 'payload_on', 'payload_off', 'value_template',
    ],
    topics: ['action_topic', 'current_temperature_topic', 'mode_command_topic', 'temperature_command_topic', 'temperature_state_topic'],
  },
};

/** HA's sensor device classes and the units it accepts with them (sensor/const.py DEVICE_CLASS_UNITS, the ones our profiles use). */
const SENSOR_UNITS: Record<string, string[]> = {
  temperature: ['°C', '°F', 'K'],
  humidity: ['%'],
  atmospheric_pressure: ['hPa', 'kPa', 'mbar', 'Pa', 'inHg', 'mmHg', 'psi', 'bar', 'cbar', 'inH₂O'],
  battery: ['%'],
  power: ['W', 'kW', 'mW', 'MW', 'GW', 'TW', 'BTU/h'],
  energy: ['Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'J', 'kJ', 'MJ', 'GJ', 'cal', 'kcal', 'Mcal', 'Gcal', 'mWh'],
  voltage: ['V', 'mV', 'µV', 'kV', 'MV'],
  current: ['A', 'mA'],
};
const BINARY_CLASSES = ['battery', 'battery_charging', 'cold', 'connectivity', 'door', 'garage_door', 'gas', 'heat', 'light', 'lock', 'moisture', 'motion', 'moving', 'occupancy', 'opening', 'plug', 'power', 'presence', 'problem', 'running', 'safety', 'smoke', 'sound', 'tamper', 'update', 'vibration', 'window'];
const CLIMATE_MODES = ['auto', 'off', 'cool', 'heat', 'dry', 'fan_only', 'heat_cool'];

/** Fails with the component, topic and key when `config` is not what HA accepts. */
export function assertHaConfig(component: string, topic: string, config: Record<string, unknown>): void {
  const schema = HA_SCHEMAS[component];
  assert.ok(schema, `${topic}: unknown component ${component}`);
  for (const key of schema.required) assert.ok(key in config, `${topic}: ${key} is required`);
  for (const key of Object.keys(config)) assert.ok(COMMON.includes(key) || schema.allowed.includes(key), `${topic}: HA does not know ${key}`);
  for (const key of [...schema.topics, 'availability_topic']) {
    if (!(key in config)) continue;
    const value = config[key];
    assert.ok(typeof value === 'string' && value.length > 0 && !/[+#]/.test(value), `${topic}: ${key} must be a topic without wildcards`);
  }
  assert.equal(typeof config.unique_id, 'string', `${topic}: unique_id`);
  const device = config.device as Record<string, unknown>;
  assert.ok(Array.isArray(device.identifiers) && device.identifiers.length > 0, `${topic}: device.identifiers`);
  for (const key of Object.keys(device)) assert.ok(DEVICE.includes(key), `${topic}: HA does not know device.${key}`);
  if (component === 'sensor' && typeof config.device_class === 'string' && config.device_class !== 'enum') {
    const units = SENSOR_UNITS[config.device_class];
    assert.ok(units, `${topic}: device_class ${config.device_class} not checked here`);
    assert.ok(units.includes(config.unit_of_measurement as string), `${topic}: ${config.unit_of_measurement} is not a unit of ${config.device_class}`);
    if (config.device_class === 'energy') assert.ok(['total', 'total_increasing'].includes(config.state_class as string), `${topic}: energy needs a total state_class`);
  }
  if (component === 'sensor' && config.device_class === 'enum') assert.ok(Array.isArray(config.options) && !('unit_of_measurement' in config), `${topic}: enum sensor`);
  if (component === 'sensor' && 'state_class' in config) assert.ok(['measurement', 'total', 'total_increasing'].includes(config.state_class as string), `${topic}: state_class`);
  if (component === 'binary_sensor' && 'device_class' in config) assert.ok(BINARY_CLASSES.includes(config.device_class as string), `${topic}: binary device_class`);
  if (component === 'climate') {
    for (const mode of config.modes as string[]) assert.ok(CLIMATE_MODES.includes(mode), `${topic}: climate mode ${mode}`);
    assert.ok(['C', 'F'].includes(config.temperature_unit as string), `${topic}: temperature_unit`);
  }
  if (component === 'number') assert.ok(['auto', 'box', 'slider'].includes(config.mode as string), `${topic}: number mode`);
}
