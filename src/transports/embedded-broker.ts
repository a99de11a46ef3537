import { createServer, type Server } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Aedes } from 'aedes';
import type { Logger } from '../config/logger.js';
import { StartupConfigError } from '../config/startup-error.js';

export interface EmbeddedBrokerOptions {
  readonly port: number;
  readonly host?: string;
  /** When set, clients must present these credentials. */
  readonly username?: string;
  readonly password?: string;
  /** Which published topics are meter readings for `onPublish`. */
  readonly accepts: (topic: string) => boolean;
  /**
   * Handles one meter message before the broker acknowledges it. Throwing refuses the publish:
   * the broker drops that connection without a PUBACK, so the meter sends it again.
   */
  readonly onPublish: (topic: string, payload: Buffer) => void;
  readonly logger: Logger;
}

export interface EmbeddedBroker {
  readonly port: number;
  connectedClients(): number;
  close(): Promise<void>;
}

export class PortInUseError extends StartupConfigError {
  constructor(readonly port: number) {
    super(
      `MQTT port ${port} is already in use (another broker is probably running there). ` +
        `Either set MQTT_URL=mqtt://localhost:${port} to use that broker, ` +
        `or set MQTT_PORT to a free port for the embedded broker.`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * The zero-setup MQTT broker (Aedes, MQTT 3.1/3.1.1). It shares the process with the ingester,
 * so no broker-side queue could survive a crash: instead each meter message is stored in the
 * `authorizePublish` hook, which runs before the broker sends its PUBACK. A meter that saw its
 * publish acknowledged therefore knows the reading is durable.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options;
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (!options.username) return done(null, true);
      const ok = username === options.username && safeEqual(password, options.password ?? '');
      if (!ok) logger.warn({ username }, 'embedded broker refused a client with bad credentials');
      done(null, ok);
    },
    authorizePublish: (client, packet, done) => {
      if (!options.accepts(packet.topic)) return done(null);
      try {
        options.onPublish(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        done(null);
      } catch (error) {
        logger.error({ err: error, topic: packet.topic, client: client?.id }, 'publish refused; the meter will resend');
        done(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });
  broker.on('clientError', (client, error) => logger.debug({ client: client.id, err: error }, 'MQTT client error'));

  const server: Server = createServer(broker.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(options.port);
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ port }, 'embedded MQTT broker listening');

  return {
    port,
    connectedClients: () => broker.connectedClients,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeEqual(given: Buffer | string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
