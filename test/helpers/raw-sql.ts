// Runs SQL on a test platform's database through a connection of its own (the platform may be
// running or stopped): for tests that break storage on purpose or rewind a migration.
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TEST_DATABASE_URL } from './services.ts';

export async function runSql(target: { kind: 'sqlite' | 'postgres'; dataDir?: string | undefined; schema?: string | undefined }, statements: string): Promise<void> {
  if (target.kind === 'sqlite') {
    const db = new Database(path.join(target.dataDir!, 'fluxgate.db'));
    try {
      db.exec(statements);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${target.schema}`);
    await client.query(statements);
  } finally {
    await client.end();
  }
}
