// What every part of the storage contract shares: how a database is opened for a group of tests,
// and (re-exported) the builders of users, devices, points and reference rollups.
import { after, before } from 'node:test';
import type { Storage } from '../../../src/storage/storage.ts';

export * from './builders.ts';

/** A new, empty, not yet migrated database behind one adapter. */
export interface StorageFixture {
  storage: Storage;
  /** Another handle on the same database, as a second node or a CLI process would open it. */
  openAnother: () => Promise<Storage>;
  /** Closes `storage` and removes the database. */
  cleanup: () => Promise<void>;
}

export type OpenStorage = () => Promise<StorageFixture>;

export interface Db {
  readonly storage: Storage;
  /** A second handle on the same database; closed by the fixture. */
  another(): Promise<Storage>;
}

/** Gives the enclosing `describe` its own fresh database, migrated unless told otherwise. */
export function freshDatabase(open: OpenStorage, { migrate = true } = {}): Db {
  let fixture: StorageFixture | undefined;
  const others: Storage[] = [];
  before(async () => {
    fixture = await open();
    if (migrate) await fixture.storage.migrate();
  });
  after(async () => {
    for (const other of others) await other.close();
    await fixture?.cleanup();
  });
  const current = (): StorageFixture => {
    if (!fixture) throw new Error('the database is not open yet');
    return fixture;
  };
  return {
    get storage() {
      return current().storage;
    },
    async another() {
      const other = await current().openAnother();
      others.push(other);
      return other;
    },
  };
}
