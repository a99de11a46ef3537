import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { LogLimiter } from '../config/log-limiter.js';
import type { Logger } from '../config/logger.js';
import type { LimitName, Metrics } from '../config/metrics.js';
import type { HttpLimits } from './limits.js';

/**
 * Connections to the HTTP port: at most `maxConnections` open (the rest are closed at once, so
 * this port can never take the file descriptors meters need), headers and body within
 * `requestTimeoutMs` (else 408), no traffic for `idleTimeoutMs` closes the connection. Node checks
 * the request timeout every `connectionsCheckingInterval` and counts it from the connection's
 * start even before a byte arrives, so a connection that never sends one is closed (without an
 * answer) after min(idle timeout, request timeout + check interval): 37.5 s at most by default.
 * Between requests Node's keepAliveTimeout (5 s) applies instead; WebSockets clear the timeout.
 */
export function applyConnectionLimits(server: Server, limits: HttpLimits, metrics: Metrics, logger: Logger): void {
  const limitLog = new LogLimiter({ perWindow: 5, windowMs: 60_000 });
  const hit = (limit: LimitName, message: string) => {
    metrics.limitHits.inc({ limit });
    const { log, suppressed } = limitLog.take(limit);
    if (log) logger.warn({ limit, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  };
  server.maxConnections = limits.maxConnections;
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.requestTimeoutMs;
  // Checked this often (Node's default is 30 s, which would let a slow request run far past its limit).
  (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.min(30_000, Math.max(250, limits.requestTimeoutMs / 4));
  server.timeout = limits.idleTimeoutMs;
  let open = 0;
  server.on('connection', (socket: Socket) => {
    open++;
    metrics.httpConnections.set(open);
    socket.once('close', () => {
      open--;
      metrics.httpConnections.set(open);
    });
  });
  server.on('drop', () => hit('HTTP_MAX_CONNECTIONS', `HTTP connection refused: HTTP_MAX_CONNECTIONS (${limits.maxConnections}) open`));
  // With a listener here Node leaves idle sockets to us (WebSockets clear the socket timeout).
  server.on('timeout', (socket: Socket) => {
    hit('HTTP_IDLE_TIMEOUT', 'HTTP connection idle; closed (HTTP_IDLE_TIMEOUT)');
    socket.destroy();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const [status, text] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large']
          : [400, 'Bad Request'];
    if (status === 408) hit('HTTP_REQUEST_TIMEOUT', 'HTTP request not received in time (HTTP_REQUEST_TIMEOUT); closed');
    // A connection that never sent a byte asked nothing: it is closed without an answer. An answer
    // would sit unread in a client that does not read either (a socket held open to tie up the
    // server), and with it the close: the client would never notice it was dropped.
    const answer = socket.writable && error.code !== 'ECONNRESET' && socket.bytesRead > 0;
    if (answer) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
}
