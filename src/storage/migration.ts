// A versioned migration: applied in order, once, recorded in schema_migrations.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Checks that versions run 1, 2, 3… so a gap or duplicate is caught at start, not in production. */
export function checkMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
}
