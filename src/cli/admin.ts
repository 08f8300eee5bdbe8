import type { Config } from '../config.ts';
import { registerBody } from '../contract/http/auth.ts';
import { AuthService } from '../services/auth-service.ts';
import { hashPassword } from '../services/passwords.ts';
import { TokenService } from '../services/tokens.ts';
import { openStorage } from '../storage/open-storage.ts';

/** `fluxgate admin create-user`: validated like POST /auth/register, role chosen by the operator. */
export async function createUserCommand(
  config: Config,
  opts: { username: string; password: string; email?: string | undefined; role: string },
): Promise<string> {
  if (opts.role !== 'user' && opts.role !== 'admin') throw new Error('--role must be user or admin');
  const input = registerBody.parse({ username: opts.username, password: opts.password, email: opts.email });
  const storage = openStorage(config);
  try {
    await storage.migrate();
    const auth = new AuthService(storage, new TokenService('unused-for-this-command-xxxxxxxxxxxxxxxx', 60));
    const user = await auth.register(input, opts.role);
    return `created ${user.role} ${user.username} (${user.id})`;
  } finally {
    await storage.close();
  }
}

/**
 * `fluxgate admin reset-password`: for an operator locked out of the dashboard. Sets the password
 * (validated like registration), ends every session of the user on every node, and records it.
 */
export async function resetPasswordCommand(config: Config, opts: { username: string; password: string }): Promise<string> {
  const password = registerBody.shape.password.parse(opts.password);
  const storage = openStorage(config);
  try {
    await storage.migrate();
    const user = await storage.findUserForLogin(opts.username);
    if (!user) throw new Error(`No user named ${opts.username}`);
    await storage.updateUser(user.id, { passwordHash: await hashPassword(password) });
    const now = Date.now();
    await storage.revokeUserRefreshTokens(user.id, now);
    await storage.setSessionsValidAfter(user.id, now);
    await storage.appendAudit({ at: now, actorId: null, actorName: 'fluxgate admin reset-password', action: 'user.reset-password', targetType: 'user', targetId: user.id, details: {} });
    return `password of ${user.username} reset; their sessions were ended`;
  } finally {
    await storage.close();
  }
}

/** `fluxgate admin storage`: the database's size on disk, per table, and bytes per stored point. */
export async function storageReport(config: Config): Promise<string> {
  const storage = openStorage({ ...config, SQLITE_WRITER_THREAD: false });
  try {
    await storage.migrate();
    const [disk, stats, chunks] = await Promise.all([storage.diskUsage({ perTable: true }), storage.stats(), storage.chunkStats()]);
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const lines = [
      `storage: ${storage.kind === 'sqlite' ? `SQLite (${config.DATA_DIR}/fluxgate.db)` : `PostgreSQL (schema ${config.DATABASE_SCHEMA})`}`,
      `on disk: ${mib(disk.totalBytes)}; points stored: ${stats.points}${stats.points > 0 ? `; ${(disk.totalBytes / stats.points).toFixed(1)} bytes per point, everything included` : ''}`,
      `layout: compressed chunks per series and day, hour rollups stored, minute rollups computed; ${chunks.chunks} chunks, compaction backlog ${chunks.backlog} chunks, ${chunks.oldLayoutPoints} points still in the old one-row-per-point table`,
      '',
      '| table | size | share |',
      '|---|---|---|',
      ...disk.tables.map((t) => `| ${t.name} | ${mib(t.bytes)} | ${disk.totalBytes > 0 ? ((100 * t.bytes) / disk.totalBytes).toFixed(1) : '0'} % |`),
    ];
    return lines.join('\n');
  } finally {
    await storage.close();
  }
}

/** `fluxgate admin compact`: compacts telemetry now (the platform also does it in the background). */
export async function compactCommand(config: Config): Promise<string> {
  const storage = openStorage({ ...config, SQLITE_WRITER_THREAD: false });
  try {
    await storage.migrate();
    const done = await storage.compact();
    const left = await storage.chunkStats();
    return `compacted: ${done.mergedWindows} series windows merged, ${done.movedPoints} points moved from the old layout; ${left.chunks} chunks now, backlog ${left.backlog}`;
  } finally {
    await storage.close();
  }
}
