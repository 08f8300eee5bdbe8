import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { connectMqtt } from '../helpers/mqtt.ts';
import { startTestPlatform } from '../helpers/mqtt-platform.ts';

test('MQTT over TLS on MQTT_TLS_PORT with MQTT_TLS_CERT/MQTT_TLS_KEY', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const tp = await startTestPlatform({ MQTT_TLS_PORT: '0', MQTT_TLS_CERT: cert, MQTT_TLS_KEY: key });
  try {
    const tlsPort = tp.platform.mqtt?.tlsPort;
    assert.equal(typeof tlsPort, 'number');
    const dev = await tp.createDevice('secure-1');
    const c = await connectMqtt(`mqtts://127.0.0.1:${tlsPort}`, { username: dev.id, password: dev.apiKey, ca: readFileSync(cert), rejectUnauthorized: false });
    await c.publishAsync('devices/secure-1/data', JSON.stringify({ t: 1, timestamp: 1_700_000_000_000 }), { qos: 1 });
    assert.deepEqual((await tp.platform.storage.latestPoints('secure-1')).map((p) => p.value), [1]);
    await c.endAsync();
  } finally {
    await tp.stop();
  }
});
