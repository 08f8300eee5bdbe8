// A versioned migration: applied in order, once, recorded in schema_migrations.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Checks that versions strictly increase, so a duplicate is caught at start, not in production.
 * Gaps are allowed: features developed in parallel reserve their numbers, and a migration runs
 * when its version is not yet recorded, whatever order the features landed in.
 */
export function checkMigrations(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    const previous = list[i - 1];
    if (previous && m.version <= previous.version) {
      throw new Error(`migration ${m.name} has version ${m.version}, not above ${previous.name} (${previous.version})`);
    }
  });
}

/** The migrations whose versions are not in `applied`, in order. */
export function pendingMigrations(list: readonly Migration[], applied: ReadonlySet<number>): Migration[] {
  checkMigrations(list);
  return list.filter((m) => !applied.has(m.version));
}

/** Reserved migration versions of features under way, so parallel branches never collide. */
export const MIGRATION_VERSIONS = { core: 1, mqtt: 2, files: 3, accounts: 4, dashboard: 5, simulator: 6, profiles: 7, devices: 8, dashboards: 9, rules: 10, compat: 11, chartWidgets: 12, notifications: 13, chunks: 15, chunkIndexes: 16 } as const;

