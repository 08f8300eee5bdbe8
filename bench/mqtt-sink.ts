// A counting MQTT endpoint for the simulator benchmark, run in its own process so its CPU is not
// charged to the simulator. It speaks just enough MQTT 3.1.1 (CONNACK, PUBACK for QoS 1, SUBACK,
// PINGRESP) and counts PUBLISH packets; it stores and forwards nothing. Prints its port, then
// answers {type:'count'} IPC messages with its counters.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

let publishes = 0;
let connections = 0;
const generate = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);
const CONNACK = generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });
const PINGRESP = generate({ cmd: 'pingresp' });

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p) => {
    switch (p.cmd) {
      case 'connect':
        connections++;
        socket.write(CONNACK);
        break;
      case 'publish':
        publishes++;
        if (p.qos === 1) socket.write(generate({ cmd: 'puback', messageId: p.messageId }));
        break;
      case 'subscribe':
        socket.write(generate({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map(() => 1) }));
        break;
      case 'pingreq':
        socket.write(PINGRESP);
        break;
      case 'disconnect':
        socket.end();
        break;
      default:
        break;
    }
  });
  parser.on('error', () => socket.destroy());
  socket.on('data', (d) => parser.parse(d));
  socket.on('error', () => {});
  socket.on('close', () => connections--);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  process.send?.({ type: 'port', port: address.port });
});

process.on('message', (m: { type: string }) => {
  if (m.type === 'count') process.send?.({ type: 'count', publishes, connections, cpu: process.cpuUsage() });
  if (m.type === 'exit') process.exit(0);
});
