// Runs a suite against the platform on SQLite and on PostgreSQL (skipped with a message when
// PostgreSQL is absent; a failure under CI=true).
import { after, before, describe } from 'node:test';
import { postgresSkipReason } from '../helpers/services.ts';
import { type TestPlatform, startPlatform } from './harness.ts';

export function onBothBackends(name: string, suite: (p: () => TestPlatform) => void, env: Record<string, string> = {}): void {
  for (const postgres of [false, true]) {
    describe(`${name} (${postgres ? 'PostgreSQL' : 'SQLite'})`, async () => {
      const skip = postgres ? await postgresSkipReason() : undefined;
      if (skip) {
        describe('skipped', { skip }, () => {});
        return;
      }
      let platform: TestPlatform | undefined;
      before(async () => {
        platform = await startPlatform({ postgres, env });
      });
      after(async () => {
        await platform?.stop();
      });
      suite(() => {
        if (!platform) throw new Error('platform not started');
        return platform;
      });
    });
  }
}
