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
