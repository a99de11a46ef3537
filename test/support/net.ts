import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** A loopback port the OS just handed out and released. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on this port of `host` (default loopback). */
export function reachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Spawns a server process and resolves with it once it accepts connections on `port`; rejects
 * (after killing it) when it cannot be spawned, exits first, or is not listening within `timeoutMs`.
 */
export async function spawnListening(command: string, args: readonly string[], port: number, timeoutMs = 5_000): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`${command} exited (code ${code}, signal ${signal})`)));
      const deadline = Date.now() + timeoutMs;
      const poll = async () => {
        if (await reachable(port)) return resolve();
        if (Date.now() > deadline) return reject(new Error(`${command} did not start listening on port ${port} within ${timeoutMs} ms`));
        setTimeout(() => void poll(), 25);
      };
      void poll();
    });
  } catch (error) {
    child.kill();
    throw error;
  }
  return child;
}
