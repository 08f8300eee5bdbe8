// MQTT_LISTEN_BACKLOG reaches the kernel: `ss -ltn` shows a listening socket's accept-queue limit
// as its Send-Q. The kernel caps it at net.core.somaxconn, so the test picks a value below that.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type TestPlatform, startTestPlatform } from '../helpers/mqtt-platform.ts';

const ss = ['/usr/bin/ss', '/bin/ss', '/usr/sbin/ss', '/sbin/ss'].find((p) => existsSync(p));
const missing = 'ss (iproute2) not installed, cannot read the listen backlog';
// Like every other missing tool, a failure under CI=true rather than a skip.
if (!ss && process.env.CI === 'true') throw new Error(`${missing}; CI=true requires it (apt-get install iproute2)`);
const skip = ss ? false : `SKIP: ${missing}`;

function backlogOf(port: number): number {
  const out = execFileSync(ss!, ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  const fields = out.trim().split(/\s+/); // State Recv-Q Send-Q Local Peer
  return Number(fields[2]);
}

describe('MQTT listen backlog', { skip, timeout: 30_000 }, () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform({ MQTT_LISTEN_BACKLOG: '77' });
  });
  after(async () => tp?.stop());

  test('the MQTT TCP listener queues MQTT_LISTEN_BACKLOG connections', () => {
    assert.equal(backlogOf(tp.mqttPort), 77);
  });
});
