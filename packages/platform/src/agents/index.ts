/**
 * `@weft/platform/agents`: the tunnel's protocol and flow control, what the agent end
 * (`weft agent`) shares with the server end. Light on purpose: no Fastify, no store.
 */
export { agentDisconnected, agentOffline, agentStreamError } from './errors.js';
export { CreditReceiver, CreditSender } from './flow.js';
export * from './protocol.js';
export { type Frame, FrameWriter, readFrames } from './wire.js';
