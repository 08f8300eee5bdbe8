// The IoT Mock Service's device settings as the device page shows them, with their units.
export function loadSettingsText(d: { base_power?: number | undefined; base_voltage?: number | undefined }): string {
  const parts: string[] = [];
  if (d.base_power !== undefined) parts.push(`base power ${d.base_power} kW`);
  if (d.base_voltage !== undefined) parts.push(`${d.base_voltage} V nominal`);
  return parts.map((p) => ` · ${p}`).join('');
}
