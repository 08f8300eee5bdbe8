import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../src/config.ts';

describe('config', () => {
  it('has documented defaults: port 8080, SQLite under ./data', () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 8080);
    assert.equal(c.HOST, '0.0.0.0');
    assert.equal(c.DATA_DIR, path.resolve('./data'));
    assert.equal(c.DATABASE_URL, undefined);
    assert.ok(Object.isFrozen(c));
  });

  it('refuses a bad value with a message naming the setting', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (err: unknown) => err instanceof ConfigError && /^Invalid configuration:\n {2}PORT: /.test(err.message));
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL: must start with postgres/);
    assert.throws(() => loadConfig({ ADMIN_PASSWORD: 'short' }), /ADMIN_PASSWORD: must be at least 8 characters/);
    assert.throws(() => loadConfig({ JWT_SECRET: 'x' }), /JWT_SECRET: must be at least 32 characters/);
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  });

  it('Home Assistant discovery: off by default, and only with the embedded broker', () => {
    const c = loadConfig({});
    assert.deepStrictEqual([c.HA_DISCOVERY, c.HA_DISCOVERY_PREFIX], ['false', 'homeassistant']);
    assert.equal(loadConfig({ HA_DISCOVERY: 'opt-in', HA_DISCOVERY_PREFIX: 'ha/fluxgate' }).HA_DISCOVERY_PREFIX, 'ha/fluxgate');
    assert.throws(() => loadConfig({ HA_DISCOVERY: 'yes' }), /HA_DISCOVERY/);
    assert.throws(() => loadConfig({ HA_DISCOVERY_PREFIX: 'homeassistant/#' }), /HA_DISCOVERY_PREFIX: use letters/);
    assert.throws(() => loadConfig({ HA_DISCOVERY: 'true', MQTT_URL: 'mqtt://broker:1883' }), /HA_DISCOVERY: Home Assistant discovery needs the embedded broker/);
    assert.throws(() => loadConfig({ HA_DISCOVERY: 'true', MQTT_ENABLED: 'false' }), /HA_DISCOVERY: Home Assistant discovery needs the embedded broker/);
  });

  it('MQTT_DYNSEC: off by default; needs MQTT_URL, the dynsec admin and the node credentials', () => {
    const c = loadConfig({});
    assert.deepStrictEqual([c.MQTT_DYNSEC, c.MQTT_DYNSEC_RESYNC_S], [false, 300]);
    const full = { MQTT_URL: 'mqtt://broker:1883', MQTT_DYNSEC: 'true', MQTT_DYNSEC_ADMIN_USERNAME: 'adm', MQTT_DYNSEC_ADMIN_PASSWORD: 'pw', MQTT_USERNAME: 'node', MQTT_PASSWORD: 'npw' };
    assert.equal(loadConfig(full).MQTT_DYNSEC, true);
    assert.throws(() => loadConfig({ ...full, MQTT_URL: undefined }), /MQTT_DYNSEC: needs MQTT_URL/);
    assert.throws(() => loadConfig({ ...full, MQTT_DYNSEC_ADMIN_PASSWORD: undefined }), /MQTT_DYNSEC: set MQTT_DYNSEC_ADMIN_USERNAME and MQTT_DYNSEC_ADMIN_PASSWORD/);
    assert.throws(() => loadConfig({ ...full, MQTT_USERNAME: undefined }), /MQTT_DYNSEC: set MQTT_USERNAME and MQTT_PASSWORD/);
    assert.throws(() => loadConfig({ ...full, MQTT_DYNSEC_RESYNC_S: '-1' }), /MQTT_DYNSEC_RESYNC_S/);
  });

  it('keeps device files under DATA_DIR by default and needs S3_BUCKET for the s3 driver', () => {
    const c = loadConfig({});
    assert.deepStrictEqual([c.BLOB_DRIVER, c.FILE_MAX_BYTES, c.LOG_RETENTION_DAYS, c.S3_FORCE_PATH_STYLE], ['local', 10_485_760, 30, false]);
    assert.throws(() => loadConfig({ BLOB_DRIVER: 's3' }), (err: unknown) => err instanceof ConfigError && err.message === 'Invalid configuration:\n  S3_BUCKET: required when BLOB_DRIVER=s3');
    assert.throws(() => loadConfig({ BLOB_DRIVER: 'ftp' }), /BLOB_DRIVER/);
    const s3 = loadConfig({ BLOB_DRIVER: 's3', S3_BUCKET: 'fluxgate-files', S3_FORCE_PATH_STYLE: 'true', S3_ENDPOINT: 'http://127.0.0.1:9000' });
    assert.deepStrictEqual([s3.S3_BUCKET, s3.S3_FORCE_PATH_STYLE, s3.S3_REGION], ['fluxgate-files', true, 'us-east-1']);
  });

  it('reads an optional JSON file, with the environment winning', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fg-config-'));
    const file = path.join(dir, 'fluxgate.json');
    writeFileSync(file, JSON.stringify({ PORT: 9000, LOG_LEVEL: 'warn' }));
    const c = loadConfig({ FLUXGATE_CONFIG: file, LOG_LEVEL: 'debug' });
    assert.equal(c.PORT, 9000);
    assert.equal(c.LOG_LEVEL, 'debug');
    writeFileSync(file, JSON.stringify({ PROT: 1 }));
    assert.throws(() => loadConfig({ FLUXGATE_CONFIG: file }), /PROT: unknown setting/);
    assert.throws(() => loadConfig({ FLUXGATE_CONFIG: path.join(dir, 'missing.json') }), /FLUXGATE_CONFIG: cannot read/);
  });

  it('describes every setting for the README table', () => {
    const rows = describeConfig();
    for (const key of ['HOST', 'PORT', 'DATA_DIR', 'DATABASE_URL', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'JWT_SECRET', 'LOG_LEVEL']) {
      const row = rows.find((r) => r.key === key);
      assert.ok(row && row.description.length > 10, `${key} is described`);
    }
  });
});
