/** The connection a `/run` or `/fields` request names, opened for the connector it must belong to. */
import type { Connections, LiveConnection } from '../connections.js';
import { NotFoundError } from '../errors.js';
import { invalid } from '../input.js';

/** Blames the request's `connection` value when it is unknown or belongs to another connector. */
export async function liveConnectionFor(
  connections: Connections,
  connectionName: string,
  connector: string,
): Promise<LiveConnection> {
  const live = await connections.live(connectionName).catch((error: unknown) => {
    if (error instanceof NotFoundError && error.code === 'CONNECTION_NOT_FOUND') {
      throw new NotFoundError(error.code, error.message, 'connection');
    }
    throw error;
  });
  if (live.connector !== connector) {
    throw invalid('connection', `belongs to the connector "${live.connector}", not "${connector}"`);
  }
  return live;
}
