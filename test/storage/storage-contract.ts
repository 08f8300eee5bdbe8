// The one contract every Storage adapter passes (DESIGN.md "Storage"): sqlite.test.ts and
// postgres.test.ts run it; a future adapter adds a runner of a few lines and must pass it unchanged.
// Each group of tests gets its own fresh database from `open`; a database is never shared by runs.
import { describe } from 'node:test';
import { alarmContract } from './contract/alarms.ts';
import { auditContract, refreshTokenContract, sharingContract, userManagementContract } from './contract/access.ts';
import { schemaContract, settingsContract, statsContract, userContract } from './contract/accounts.ts';
import { commandContract } from './contract/commands.ts';
import { chartContract } from './contract/charts.ts';
import { deviceContract } from './contract/devices.ts';
import { deviceListContract } from './contract/device-list.ts';
import type { OpenStorage } from './contract/fixture.ts';
import { fileContract, logContract } from './contract/files-logs.ts';
import { notificationContract } from './contract/notifications.ts';
import { deleteContract, queryContract, rollupReadContract } from './contract/history.ts';
import { pointContract } from './contract/points.ts';

export type { OpenStorage, StorageFixture } from './contract/fixture.ts';

/**
 * Registers the contract tests for one adapter. `open` returns a new, empty, unmigrated database;
 * `skip` (a reason) skips the whole suite, as when the database server is not available.
 */
export function storageContract(name: string, open: OpenStorage, options: { skip?: string | undefined } = {}): void {
  describe(`storage contract: ${name}`, { skip: options.skip ?? false }, () => {
    schemaContract(open);
    userContract(open);
    deviceContract(open);
    deviceListContract(open);
    pointContract(open);
    queryContract(open);
    rollupReadContract(open);
    deleteContract(open);
    statsContract(open);
    settingsContract(open);
    fileContract(open);
    logContract(open);
    userManagementContract(open);
    refreshTokenContract(open);
    sharingContract(open);
    auditContract(open);
    commandContract(open);
    chartContract(open);
    alarmContract(open);
    notificationContract(open);
  });
}

/**
 * The telemetry part of the contract with compaction after every write, so each answer is checked
 * from merged chunks as well as from group-commit chunks (both adapters compact in the background).
 */
export function compactedTelemetryContract(name: string, open: OpenStorage, options: { skip?: string | undefined } = {}): void {
  const compacting: OpenStorage = async () => {
    const fixture = await open();
    const writePoints = fixture.storage.writePoints.bind(fixture.storage);
    fixture.storage.writePoints = async (points) => {
      const result = await writePoints(points);
      await fixture.storage.compact();
      return result;
    };
    return fixture;
  };
  describe(`storage contract, compacted after every write: ${name}`, { skip: options.skip ?? false }, () => {
    pointContract(compacting);
    queryContract(compacting);
    rollupReadContract(compacting);
    deleteContract(compacting);
  });
}
