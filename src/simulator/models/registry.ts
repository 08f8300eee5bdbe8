// Every simulated device type and how to build its model.
import type { DeviceModel, ModelOptions } from '../model.ts';
import { Camera } from './camera.ts';
import { DoorLock } from './door-lock.ts';
import { ENERGY_LOAD_TYPES, EnergyLoad, type EnergyLoadType } from './energy-load.ts';
import { MotionSensor } from './motion-sensor.ts';
import { SmartMeter } from './smart-meter.ts';
import { SmartPlug } from './smart-plug.ts';
import { Thermostat } from './thermostat.ts';

export const DEVICE_TYPES = [
  'thermostat',
  ...ENERGY_LOAD_TYPES,
  'smart_meter',
  'camera',
  'motion_sensor',
  'door_lock',
  'smart_plug',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** Seed 001's five default devices. */
export const SEED_001_TYPES: readonly DeviceType[] = ENERGY_LOAD_TYPES;

export function isDeviceType(value: string): value is DeviceType {
  return (DEVICE_TYPES as readonly string[]).includes(value);
}

export function createModel(type: DeviceType, options: ModelOptions): DeviceModel {
  switch (type) {
    case 'thermostat':
      return new Thermostat(options);
    case 'smart_meter':
      return new SmartMeter(options);
    case 'camera':
      return new Camera(options);
    case 'motion_sensor':
      return new MotionSensor(options);
    case 'door_lock':
      return new DoorLock(options);
    case 'smart_plug':
      return new SmartPlug(options);
    default:
      return new EnergyLoad(type as EnergyLoadType, options);
  }
}
