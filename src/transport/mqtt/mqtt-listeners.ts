// Where the embedded broker listens: TCP (MQTT_PORT), optional TLS (MQTT_TLS_PORT) and MQTT over
// WebSocket at /mqtt on the HTTP server.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

export function tcpServer(aedes: Aedes): net.Server {
  return net.createServer((socket) => aedes.handle(socket));
}

export function tlsServer(aedes: Aedes, cert: Buffer, key: Buffer): tls.Server {
  return tls.createServer({ cert, key }, (socket) => aedes.handle(socket));
}

/**
 * Serves MQTT over WebSocket at `path` on an existing HTTP server; returns a closer. Other upgrade
 * listeners (the API's /api/v1/stream via @fastify/websocket, which answers every upgrade through
 * its router and would refuse /mqtt) only see the upgrades that are not for `path`.
 */
export function attachWebSocket(aedes: Aedes, server: HttpServer, path = '/mqtt'): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true });
  type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  const others = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  const onUpgrade: UpgradeListener = (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      for (const listener of others) listener.call(server, req, socket, head);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      aedes.handle(stream, req);
    });
  };
  server.on('upgrade', onUpgrade);
  return async () => {
    server.off('upgrade', onUpgrade);
    for (const listener of others) server.on('upgrade', listener);
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
