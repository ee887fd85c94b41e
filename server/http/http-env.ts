import os from 'node:os';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** What the HTTP edge (server/http/create-http-server.ts) is told about its network, from HTTP_ENV. */
export type HttpSettings = {
  /** Peers whose X-Forwarded-For/-Host/-Proto are believed; empty: nobody's (the default). */
  trustedProxies: BlockList;
  /** The CIDR list as configured, for the start-up log. */
  trustedProxyList: string[];
  /** Host names (lower case, no port) the Host header may name; IP literals are always allowed. `*`: any. */
  allowedHosts: ReadonlySet<string> | '*';
  /** The origin browsers and DICOMweb clients use (e.g. https://triage.example.org); unset: the request's. */
  publicUrl: URL | undefined;
};

/** TRUSTED_PROXIES, ALLOWED_HOSTS and PUBLIC_URL, merged into the server's environment schema (server/config). */
export const HTTP_ENV = {
  /** Reverse proxies (addresses or CIDRs, comma-separated) whose forwarding headers are believed; unset: none. */
  TRUSTED_PROXIES: z.string().max(8192).default(''),
  /** Host names the Host header may name (DNS rebinding); unset: localhost, this machine's names and PUBLIC_URL's host; `*`: any. */
  ALLOWED_HOSTS: z.string().max(8192).optional(),
  /** The public origin, e.g. https://triage.example.org: STOW-RS RetrieveURLs and the allowed hosts. */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
};

type HttpEnv = z.output<z.ZodObject<typeof HTTP_ENV>>;

/** The HTTP settings, or the problems (`VARIABLE: what is wrong`) that stop the server. */
export function readHttpSettings(e: HttpEnv, hostnames: readonly string[] = machineHostnames()): { settings: HttpSettings; problems: string[] } {
  const problems: string[] = [];
  const trustedProxies = new BlockList();
  const trustedProxyList = e.TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of trustedProxyList) {
    const problem = addCidr(trustedProxies, entry);
    if (problem) problems.push(`TRUSTED_PROXIES: ${problem}`);
  }
  const publicUrl = e.PUBLIC_URL ? new URL(e.PUBLIC_URL) : undefined;
  if (publicUrl && (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash)) problems.push('PUBLIC_URL: an origin only (scheme, host, port), no path');
  let allowedHosts: HttpSettings['allowedHosts'];
  if (e.ALLOWED_HOSTS?.trim() === '*') allowedHosts = '*';
  else {
    const listed = e.ALLOWED_HOSTS === undefined ? ['localhost', ...hostnames] : e.ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean);
    for (const h of listed) if (!/^[A-Za-z0-9.-]{1,253}$/.test(h)) problems.push(`ALLOWED_HOSTS: "${h.slice(0, 64)}" is not a host name (no scheme or port)`);
    allowedHosts = new Set([...listed.map((h) => h.toLowerCase()), ...(publicUrl ? [publicUrl.hostname.toLowerCase()] : [])]);
  }
  return { settings: { trustedProxies, trustedProxyList, allowedHosts, publicUrl }, problems };
}

/** Adds `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `v6/n` to the list; the problem, or undefined. */
function addCidr(list: BlockList, entry: string): string | undefined {
  const [address = '', prefixText, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${entry.slice(0, 64)}" is not an address or CIDR (e.g. 10.0.0.0/8, ::1)`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return undefined;
  }
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) return `"${entry.slice(0, 64)}" has a bad prefix length`;
  list.addSubnet(address, prefix, type);
  return undefined;
}

/** This machine's host name, short and as given (e.g. `ct-triage` and `ct-triage.hospital.local`). */
function machineHostnames(): string[] {
  const name = os.hostname().toLowerCase();
  return [...new Set([name, name.split('.')[0] ?? name])].filter((h) => /^[a-z0-9.-]{1,253}$/.test(h));
}
