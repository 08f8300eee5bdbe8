// The scheduler's PostgreSQL advisory lock: one holder per schema; a stopped holder hands over; a
// holder whose session the server ends (pg_terminate_backend, as when PostgreSQL restarts or the
// idle timeout fires) steps down and one node (it, with a new session, or another) takes the lock; other schemas are not affected.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PostgresJobLock } from '../../src/storage/postgres/postgres-job-lock.ts';
import { runSql } from '../helpers/raw-sql.ts';
import { TEST_DATABASE_URL, postgresSkipReason, uniqueSchema } from '../helpers/services.ts';

const skip = await postgresSkipReason();

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

describe('PostgresJobLock', { skip: skip ?? false }, () => {
  const locks: PostgresJobLock[] = [];
  after(async () => {
    for (const l of locks) await l.stop();
  });
  const lock = (schema: string, changes: boolean[] = []) => {
    const l = new PostgresJobLock(TEST_DATABASE_URL, schema, { retryMs: 100, onChange: (held) => changes.push(held) });
    locks.push(l);
    l.start();
    return l;
  };

  it('one holder per schema; stopping it hands the lock over', async () => {
    const schema = uniqueSchema('lock');
    const a = lock(schema);
    await until('the first lock is taken', () => a.held());
    const b = lock(schema);
    const other = lock(uniqueSchema('lock'));
    await until('another schema has its own lock', () => other.held());
    await b.settled();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(b.held(), false, 'the second node waits');
    await a.stop();
    assert.equal(a.held(), false);
    await until('the second node takes over', () => b.held());
  });

  it('a holder whose session is ended steps down, and exactly one node holds the lock again', async () => {
    const schema = uniqueSchema('lock');
    const changesA: boolean[] = [];
    const a = lock(schema, changesA);
    await until('the first lock is taken', () => a.held());
    const b = lock(schema);
    await b.settled();
    assert.equal(b.held(), false, 'the second node waits');
    await runSql({ kind: 'postgres', schema: 'public' }, `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext('${schema}')::oid AND granted`);
    await until('the first node stepped down', () => changesA.includes(false));
    // Both compete again (the first node with a new session): one wins, never both.
    await until('a node holds the lock again', () => a.held() || b.held());
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(Number(a.held()) + Number(b.held()), 1);
  });
});
