/**
 * TODO: webhook ingress.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';

export function registerWebhookRoutes(_app: FastifyInstance, _context: ServerContext): void {}
