/** A URL with its credentials (`user:password@`) replaced, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
