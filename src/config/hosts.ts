/** Whether a listener bound to `host` is reachable from this machine only (an open mode's default). */
export function isLoopbackHost(host: string | undefined): boolean {
  return host === 'localhost' || host === '::1' || (host !== undefined && /^127\.\d+\.\d+\.\d+$/.test(host));
}
