// A DNS server the tests control, on a loopback UDP port: it answers A queries for the
// names it is given (as Swarm's DNS answers tasks.<service> with one address per task),
// NODATA for other types of a known name, and NXDOMAIN for anything else.

import dgram from 'node:dgram';

export interface TestDnsServer {
  /** "127.0.0.1:PORT", for PEER_DNS_SERVER. */
  address: string;
  /** Sets the A records of a name (empty: the name exists with no address). */
  set(name: string, addresses: readonly string[]): void;
  /** Makes the name unknown (NXDOMAIN). */
  remove(name: string): void;
  queries: number;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const records = new Map<string, readonly string[]>();
  const socket = dgram.createSocket('udp4');
  const server: TestDnsServer = {
    address: '',
    set: (name, addresses) => void records.set(name.toLowerCase(), addresses),
    remove: (name) => void records.delete(name.toLowerCase()),
    queries: 0,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (query, from) => {
    server.queries += 1;
    const answer = respond(query, records);
    if (answer !== null) socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  server.address = `127.0.0.1:${socket.address().port}`;
  return server;
}

function respond(query: Buffer, records: ReadonlyMap<string, readonly string[]>): Buffer | null {
  if (query.length < 17) return null;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset] ?? 0;
    if (length === 0) break;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  if (questionEnd > query.length) return null;
  const type = query.readUInt16BE(offset + 1);
  const addresses = records.get(labels.join('.').toLowerCase());
  const answers = addresses !== undefined && type === 1 ? addresses : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // QR, AA, RD, RA; rcode 3 (NXDOMAIN) for an unknown name.
  header.writeUInt16BE(0x8580 | (addresses === undefined ? 3 : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const answerRecords = answers.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(0, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((part, index) => record.writeUInt8(Number(part), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answerRecords]);
}
