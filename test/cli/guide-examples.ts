// The `fluxgate import` commands the guides show, and for each file they name a sample of what the
// export command beside it writes (times placed relative to now), with the rows it should import.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface GuideCommand {
  guide: string;
  env: Record<string, string>;
  args: string[];
}

/** Every `… fluxgate import …` line of the guide's bash blocks, continuation lines joined. */
export function importCommands(guide: string): GuideCommand[] {
  const text = readFileSync(guide, 'utf8');
  const blocks = [...text.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ''));
  return blocks
    .flatMap((b) => b.split('\n'))
    .filter((line) => /(^|\s)npx fluxgate import /.test(line))
    .map((line) => {
      const words = line.trim().replace(/\s+#.*$/, '').split(/\s+/).map((w) => w.replace(/^"(.*)"$/, '$1'));
      const at = words.indexOf('fluxgate');
      const env = Object.fromEntries(words.slice(0, at).filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
      return { guide, env, args: words.slice(at + 2) };
    });
}

export const GUIDES = ['docs/import.md', ...readdirSync('docs/migrate').filter((f) => f.endsWith('.md')).map((f) => path.join('docs/migrate', f))];

const MINUTE = 60_000;
const iso = (minutesAgo: number) => new Date(Date.now() - minutesAgo * MINUTE).toISOString();
/** How psql writes a timestamptz: 2024-05-01 12:00:00.123+00 */
const sqlTz = (minutesAgo: number) => iso(minutesAgo).replace('T', ' ').replace('Z', '+00');
/** How psql writes a timestamp without time zone, and json_build_object one: microseconds, no zone. */
const sqlNaive = (minutesAgo: number, t = ' ') => iso(minutesAgo).replace('T', t).replace('Z', '456');

export const EMS_DEVICE = '5f0c6a1e-8d2b-4c3a-9e7f-1a2b3c4d5e6f';
export const GUIDE_DEVICES = ['living-room', 'device_1', 'device_2', 'thermostat-1', 'mock-hvac-001', 'mock-server-rack-001', '1', '2', EMS_DEVICE];

interface Sample {
  lines: string[];
  rows: number;
}

function influxCsv(): Sample {
  const [t1, t2, t3] = [iso(30), iso(20), iso(10)];
  return {
    lines: [
      '#group,false,false,true,true,false,false,true,true,true',
      '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string',
      '#default,_result,,,,,,,,',
      ',result,table,_start,_stop,_time,_value,_field,_measurement,device_id',
      `,,0,${t1},${t3},${t1},21.5,temperature,sensor_data,device_1`,
      `,,0,${t1},${t3},${t2},21.7,temperature,sensor_data,device_1`,
      '',
      '#group,false,false,true,true,false,false,true,true,true',
      '#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,boolean,string,string,string',
      '#default,_result,,,,,,,,',
      ',result,table,_start,_stop,_time,_value,_field,_measurement,device_id',
      `,,1,${t1},${t3},${t1},true,locked,sensor_data,device_2`,
    ],
    rows: 3,
  };
}

/** Keyed by guide, then by the file name its commands use. */
export function guideSamples(): Record<string, Record<string, Sample>> {
  return {
    'docs/import.md': {
      'readings.csv': { lines: ['timestamp,temperature,humidity', `${iso(20)},21.5,40`, `${iso(10)},21.6,41`], rows: 2 },
      'telemetry.csv': { lines: ['timestamp,device_id,temperature', `${iso(20)},device_1,20`, `${iso(20)},device_2,19.5`], rows: 2 },
    },
    'docs/migrate/iot-temperature-control-system.md': {
      'history.ndjson': { lines: [JSON.stringify({ timestamp: iso(30), temperature: 19.8 }), JSON.stringify({ timestamp: iso(25), temperature: 20.1 })], rows: 2 },
      'history.csv': { lines: ['timestamp,temperature', `${sqlNaive(15)},20.4`], rows: 1 },
    },
    'docs/migrate/iot-mock-service.md': {
      'readings.ndjson': {
        lines: ['mock-hvac-001', 'mock-server-rack-001'].map((id, i) =>
          JSON.stringify({ device_id: id, timestamp: iso(5 + i), power: 25.3, voltage: 239.8, current: 23.7, energy: 156.7, status: 'online', enabled: true }),
        ),
        rows: 2,
      },
    },
    'docs/migrate/smart-home-iot-data-service.md': { 'sensor-data.csv': influxCsv() },
    'docs/migrate/iotflow.md': {
      'telemetry.csv': {
        lines: ['device_id,timestamp,measurement_name,value', `1,${sqlNaive(30)},temperature,23.5`, `1,${sqlNaive(30)},humidity,65.2`, `2,${sqlNaive(20)},temperature,19`],
        rows: 3,
      },
      'telemetry.ndjson': {
        lines: [
          `{"device_id" : "1", "timestamp" : "${sqlNaive(10, 'T')}", "data" : {"temperature" : 23.9}, "metadata" : {"location" : "Living Room"}}`,
          `{"device_id" : "2", "timestamp" : "${sqlNaive(10, 'T')}", "data" : {"temperature" : 19.2}, "metadata" : null}`,
        ],
        rows: 2,
      },
    },
    'docs/migrate/energy-management-system.md': {
      'measurements.csv': { lines: ['device_id,timestamp,energy_usage', `${EMS_DEVICE},${sqlTz(70)},0.21`, `${EMS_DEVICE},${sqlTz(60)},0.19`], rows: 2 },
    },
  };
}
