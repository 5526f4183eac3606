// Where the peers are. A fixed list answers the same every time; `dns:NAME` asks the
// name's addresses each time (Swarm's tasks.<service> answers with one address per task,
// so agents on nodes that join or leave come and go with it).

import dns from 'node:dns';
import { isIP } from 'node:net';
import type { PeerSpec } from '../config-values.js';

export type DiscoveryResult = { kind: 'ok'; origins: readonly string[] } | { kind: 'failed'; message: string };

export interface PeerDiscovery {
  origins(): Promise<DiscoveryResult>;
  /** Whether asking again can give another answer (dns: yes, a list: no). */
  readonly changes: boolean;
}

/** Looks a name up: its IPv4 and IPv6 addresses. */
export type AddressLookup = (name: string) => Promise<readonly string[]>;

export function createDiscovery(spec: PeerSpec, options: { ownPort: number; dnsServer: string; lookup?: AddressLookup }): PeerDiscovery {
  if (spec.kind === 'none') return { origins: () => Promise.resolve({ kind: 'ok', origins: [] }), changes: false };
  if (spec.kind === 'list') return { origins: () => Promise.resolve({ kind: 'ok', origins: spec.urls }), changes: false };
  const lookup = options.lookup ?? addressLookup(options.dnsServer);
  const port = spec.port ?? options.ownPort;
  return {
    changes: true,
    async origins() {
      try {
        const addresses = [...new Set(await lookup(spec.name))].sort();
        return { kind: 'ok', origins: addresses.map((address) => originOf(address, port)) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const why = code === 'ENOTFOUND' || code === 'ENODATA'
          ? 'no such name (in a Swarm: is the service named so, and is this agent on its overlay network?)'
          : error instanceof Error ? error.message : String(error);
        return { kind: 'failed', message: `dns:${spec.name}: ${why}` };
      }
    },
  };
}

export function originOf(address: string, port: number): string {
  return isIP(address) === 6 ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}

/**
 * With no server given, the system's lookup (getaddrinfo: /etc/hosts, then the resolvers
 * of /etc/resolv.conf, which in a Swarm task is Docker's own DNS). With one, that server
 * is asked for A and AAAA records directly.
 */
function addressLookup(server: string): AddressLookup {
  if (server === '') {
    return async (name) => (await dns.promises.lookup(name, { all: true })).map((entry) => entry.address);
  }
  const resolver = new dns.promises.Resolver({ timeout: 1_000, tries: 2 });
  resolver.setServers([server]);
  return async (name) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (addresses.length === 0) throw v4.status === 'rejected' ? v4.reason : new Error(`dns:${name}: no addresses`);
    return addresses;
  };
}
