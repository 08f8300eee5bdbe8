import { describe, expect, it } from 'vitest';
import { loadSettingsText } from './load-settings.ts';

describe('loadSettingsText', () => {
  it('shows base power in kW and voltage in V, only those the device has', () => {
    expect(loadSettingsText({ base_power: 25, base_voltage: 240 })).toBe(' · base power 25 kW · 240 V nominal');
    expect(loadSettingsText({ base_voltage: 230 })).toBe(' · 230 V nominal');
    expect(loadSettingsText({})).toBe('');
  });
});
