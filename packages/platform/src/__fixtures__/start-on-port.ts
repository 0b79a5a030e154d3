/**
 * A server that keeps its address across restarts, as a registered webhook URL needs: started on
 * `options.port` (0 the first time: the system picks), and tried again for a while when a
 * neighbouring test took the port while it was free.
 */
import { type RunningServer, type ServeOptions, startServer } from '../serve.js';

export async function startOnPort(options: ServeOptions): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer(options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The port a started server listens on (to start the next one there). */
export const portOf = (server: RunningServer): number => Number(new URL(server.url).port);
