import type { Config } from '../config.ts';
import { registerBody } from '../contract/http/auth.ts';
import { AuthService } from '../services/auth-service.ts';
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
