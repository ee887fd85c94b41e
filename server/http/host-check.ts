import { isIP } from 'node:net';
import type { HttpSettings } from './http-env';

/**
 * DNS rebinding defence: true when the Host header (host[:port]) names an allowed host. An IP
 * literal is always allowed (rebinding needs a name the attacker controls); a name must be in
 * ALLOWED_HOSTS (default: localhost, this machine's names and PUBLIC_URL's host).
 */
export function isAllowedHost(host: string | undefined, allowed: HttpSettings['allowedHosts']): boolean {
  if (allowed === '*') return true;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d{1,5}$/, '');
  if (isIP(name) !== 0) return true;
  const lower = name.toLowerCase().replace(/\.$/, '');
  return allowed.has(lower) || (lower.endsWith('.localhost') && allowed.has('localhost'));
}
