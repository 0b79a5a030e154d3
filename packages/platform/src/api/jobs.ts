/**
 * TODO: routes.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../runtime/context.js';

export function registerJobRoutes(_app: FastifyInstance, _context: ServerContext): void {}
