/**
 * A start-up failure the user fixes by changing configuration (a taken port, a wrong InfluxDB
 * token, org or bucket): the process exits with code 2 and this message, no stack trace.
 */
export class StartupConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupConfigError';
  }
}
