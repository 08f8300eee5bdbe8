// The cluster's PostgreSQL: a fresh schema on an existing server (the nodes create its tables on
// their first start). The launcher checks the server answers before starting anything and drops the
// schema when it stops, unless asked to keep it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_CLUSTER_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ClusterSchema {
  url: string;
  schema: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function freshSchema(url: string, prefix = 'fluxgate_cluster'): Promise<ClusterSchema> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  try {
    await withClient(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  } catch (err) {
    throw new Error(`PostgreSQL at ${url} cannot be used: ${(err as Error).message}`);
  }
  return {
    url,
    schema,
    drop: () => withClient(url, async (c) => void (await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))),
  };
}
