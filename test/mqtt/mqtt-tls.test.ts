// MQTT over TLS: the client checks the server's certificate (a self-signed one made for 127.0.0.1)
// against the CA it was given, and a client trusting another CA is refused before it talks MQTT.
// MQTT 3.1.1 and MQTT 5 clients both connect.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { connectMqtt } from '../helpers/mqtt.ts';
import { startTestPlatform } from '../helpers/mqtt-platform.ts';

/** A self-signed certificate for 127.0.0.1 (an IP is matched against subjectAltName only). */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}-cert.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

test('MQTT over TLS on MQTT_TLS_PORT with MQTT_TLS_CERT/MQTT_TLS_KEY, the certificate verified', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fluxgate-tls-'));
  const server = selfSigned(dir, 'server');
  const stranger = selfSigned(dir, 'stranger');
  const tp = await startTestPlatform({ MQTT_TLS_PORT: '0', MQTT_TLS_CERT: server.cert, MQTT_TLS_KEY: server.key });
  try {
    const tlsPort = tp.platform.mqtt?.tlsPort;
    assert.equal(typeof tlsPort, 'number');
    const dev = await tp.createDevice('secure-1');
    const url = `mqtts://127.0.0.1:${tlsPort}`;

    await assert.rejects(connectMqtt(url, { username: dev.id, password: dev.apiKey, ca: readFileSync(stranger.cert), rejectUnauthorized: true }), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    await assert.rejects(connectMqtt(url, { username: dev.id, password: dev.apiKey, rejectUnauthorized: true }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

    const c = await connectMqtt(url, { username: dev.id, password: dev.apiKey, ca: readFileSync(server.cert), rejectUnauthorized: true });
    const socket = c.stream as TLSSocket;
    assert.equal(socket.authorized, true);
    assert.equal(socket.getPeerCertificate().fingerprint256, new X509Certificate(readFileSync(server.cert)).fingerprint256);
    await c.publishAsync('devices/secure-1/data', JSON.stringify({ t: 1, timestamp: 1_700_000_000_000 }), { qos: 1 });
    assert.deepEqual((await tp.platform.storage.latestPoints('secure-1')).map((p) => p.value), [1]);
    await c.endAsync();

    // MQTT 5 over the same TLS listener.
    const c5 = await connectMqtt(url, { protocolVersion: 5, username: dev.id, password: dev.apiKey, ca: readFileSync(server.cert), rejectUnauthorized: true });
    await c5.publishAsync('devices/secure-1/data', JSON.stringify({ t5: 5, timestamp: 1_700_000_000_000 }), { qos: 1 });
    assert.deepEqual((await tp.platform.storage.latestPoints('secure-1')).find((p) => p.field === 't5')?.value, 5);
    await c5.endAsync();
  } finally {
    await tp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
