import type { Server } from 'node:net';
import type { FastifyInstance } from 'fastify';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Listens, turning "address in use" into a message that names the setting to change. */
export async function listenOrExplain(app: FastifyInstance, host: string, port: number, setting: string): Promise<number> {
  try {
    await app.listen({ host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`${setting}=${port} is already in use on ${host}: set ${setting} to a free port`);
    if (code === 'EACCES') throw new StartupError(`${setting}=${port} needs privileges on ${host}: set ${setting} to a port above 1023`);
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`HOST=${host} is not an address of this machine`);
    throw err;
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** The same for a plain net/tls server (the MQTT listeners); `backlog` is the kernel's queue of connections not yet accepted. */
export async function listenServerOrExplain(server: Server, host: string, port: number, setting: string, backlog?: number): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, ...(backlog ? { backlog } : {}) }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`${setting}=${port} is already in use on ${host}: set ${setting} to a free port`);
    if (code === 'EACCES') throw new StartupError(`${setting}=${port} needs privileges on ${host}: set ${setting} to a port above 1023`);
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`HOST=${host} is not an address of this machine`);
    throw err;
  }
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
