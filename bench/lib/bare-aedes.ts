// Bare aedes 1.2 (no auth, no storage, in-memory persistence): the MQTT reference of the
// connection-scale bench, the same broker Fluxgate embeds with none of its work.
import net from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const server = net.createServer((socket) => broker.handle(socket));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port }));
process.on('SIGTERM', () => process.exit(0));
