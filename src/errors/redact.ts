/**
 * Removes credentials from anything that may end up in an error message or event.
 *
 * Redis URLs carry passwords (`redis://user:secret@host:6379`); cacheorm never lets them reach a message,
 * an event payload or a log line. Every place that formats a URL or a connection error goes through here.
 */

const URL_CREDENTIALS = /\b(rediss?|redis\+sentinel|unix):\/\/([^:@/\s]*)(?::([^@/\s]*))?@/gi;

/**
 * Returns `text` with the password (and only the password) of every Redis URL replaced by `***`.
 *
 * @example
 * redactCredentials('redis://app:s3cret@db:6379/0'); // 'redis://app:***@db:6379/0'
 */
export function redactCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, user: string, password?: string) =>
    password === undefined ? `${scheme}://${user ? '***' : ''}@` : `${scheme}://${user}:***@`,
  );
}

/** Strips a known secret verbatim from a text, in case it appears outside a URL. @internal */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('***');
}
