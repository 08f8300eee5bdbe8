// Errors on an open WebSocket of the API. A malformed frame (unmasked, reserved opcode, invalid
// UTF-8, over the size limit) is the client's fault: ws has already answered it with the close code
// for that fault, so it is logged at warn without a stack and counted, and any client cannot fill
// the error log. A connection the client dropped is routine. Anything else is ours: error, with stack.
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Metrics } from '../../services/metrics.ts';

const DROPPED_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export function webSocketErrorHandler(metrics: Metrics) {
  return (error: Error & { code?: string }, socket: WebSocket, request: FastifyRequest): void => {
    const code = error.code ?? '';
    if (code.startsWith('WS_ERR_')) {
      const reason = code.slice('WS_ERR_'.length).toLowerCase();
      metrics.wsProtocolErrors.inc({ reason });
      request.log.warn({ reason, detail: error.message, url: request.url }, 'malformed WebSocket frame; connection closed');
      return; // ws is closing the connection with the status code of the fault
    }
    if (DROPPED_CONNECTION.has(code)) request.log.info({ code, url: request.url }, 'WebSocket connection dropped by the client');
    else request.log.error({ err: error, url: request.url }, 'WebSocket error');
    socket.terminate();
  };
}
