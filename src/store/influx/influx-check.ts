import { StartupConfigError } from '../../config/startup-error.js';
import { InfluxHttp, InfluxHttpError, InfluxUnreachableError, type InfluxConnection } from './influx-http.js';

/**
 * The start-up check of the InfluxDB settings. A wrong token, org or bucket is a configuration
 * mistake that retrying cannot fix, so it is fatal (the product exits with code 2). An InfluxDB
 * that does not answer is not: the product starts, journals readings locally, reports itself
 * degraded and forwards the backlog once InfluxDB is up.
 */

export type InfluxAccessProblem = 'unauthorized' | 'forbidden' | 'org-not-found' | 'bucket-not-found' | 'not-influxdb';

/** A fatal configuration error; `exitCode` is what the process should exit with. */
export class InfluxAccessError extends StartupConfigError {
  readonly exitCode = 2;

  constructor(
    readonly problem: InfluxAccessProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InfluxAccessError';
  }
}

export type InfluxAccessResult =
  | { readonly reachable: true }
  /** Not fatal: carry on, journal, and let the forwarder catch up. */
  | { readonly reachable: false; readonly error: Error };

export interface InfluxAccessCheckOptions {
  /** Default 5 s: start-up should not hang on a black-holed address. */
  readonly timeoutMs?: number;
}

/**
 * Looks the bucket up with the token. Resolves `{ reachable: true }` when all three settings are
 * right, `{ reachable: false }` when InfluxDB does not answer (or answers 5xx/429, i.e. is still
 * starting or overloaded), and throws InfluxAccessError for settings that are wrong.
 */
export async function checkInfluxAccess(
  connection: InfluxConnection,
  options: InfluxAccessCheckOptions = {},
): Promise<InfluxAccessResult> {
  const http = new InfluxHttp(connection, { timeoutMs: options.timeoutMs ?? 5_000 });
  const where = `InfluxDB at ${connection.url}`;
  try {
    const { found } = await http.findBucket();
    if (!found) {
      throw new InfluxAccessError(
        'bucket-not-found',
        `${where}: bucket "${connection.bucket}" does not exist in org "${connection.org}", or INFLUX_TOKEN may not read it (check INFLUX_BUCKET and the token's permissions)`,
      );
    }
    return { reachable: true };
  } catch (error) {
    if (error instanceof InfluxAccessError) throw error;
    if (error instanceof InfluxUnreachableError) return { reachable: false, error };
    if (error instanceof InfluxHttpError) {
      switch (error.status) {
        case 401:
          throw new InfluxAccessError('unauthorized', `${where} rejected INFLUX_TOKEN (401 ${error.detail})`, { cause: error });
        case 403:
          throw new InfluxAccessError('forbidden', `${where}: INFLUX_TOKEN lacks permission to read buckets of org "${connection.org}" (403 ${error.detail})`, { cause: error });
        case 404:
          throw new InfluxAccessError('org-not-found', `${where}: org "${connection.org}" not found (check INFLUX_ORG; 404 ${error.detail})`, { cause: error });
        default:
          if (error.status >= 500 || error.status === 429) return { reachable: false, error };
          throw new InfluxAccessError('not-influxdb', `${where} answered the bucket lookup unexpectedly: ${error.message}`, { cause: error });
      }
    }
    throw error;
  }
}

/**
 * Makes sure the admin record's bucket exists (created without expiry on a first start). A token
 * that may not create it is a configuration problem: the operator creates the bucket or grants it.
 */
export async function ensureAdminBucket(connection: InfluxConnection, options: InfluxAccessCheckOptions = {}): Promise<InfluxAccessResult> {
  const http = new InfluxHttp(connection, { timeoutMs: options.timeoutMs ?? 5_000 });
  try {
    const { found } = await http.findBucket();
    if (!found) {
      try {
        await http.createBucket();
      } catch (error) {
        // Several processes starting together: another one created it between our lookup and ours.
        if (!(error instanceof InfluxHttpError && error.status === 422 && (await http.findBucket()).found)) throw error;
      }
    }
    return { reachable: true };
  } catch (error) {
    if (error instanceof InfluxUnreachableError) return { reachable: false, error };
    if (error instanceof InfluxHttpError && (error.status >= 500 || error.status === 429)) return { reachable: false, error };
    if (error instanceof InfluxHttpError) {
      throw new InfluxAccessError(
        error.status === 401 ? 'unauthorized' : 'forbidden',
        `InfluxDB at ${connection.url}: the admin record's bucket "${connection.bucket}" (INFLUX_ADMIN_BUCKET) is missing and INFLUX_TOKEN may not create it ` +
          `(${error.status} ${error.detail}). Create it (no retention) or give the token write access to buckets.`,
        { cause: error },
      );
    }
    throw error;
  }
}
