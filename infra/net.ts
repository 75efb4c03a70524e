/** Ports on this machine. */
import * as net from 'node:net';

/**
 * A TCP port on 127.0.0.1 nobody listens on right now, so a server started next never collides with another
 * one: any the system gives, or one of `range` (inclusive), for servers that cannot take every port.
 */
export async function freePort(range?: { min: number; max: number }): Promise<number> {
  if (!range) return listenOn(0);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = range.min + Math.floor(Math.random() * (range.max - range.min + 1));
    try {
      return await listenOn(port);
    } catch {
      // taken: try another
    }
  }
  throw new Error(`no free port between ${range.min} and ${range.max}`);
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
