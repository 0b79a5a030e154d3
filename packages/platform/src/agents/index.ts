/**
 * `@weft/platform/agents`: the tunnel's protocol and flow control, what the agent end
 * (`weft agent`) shares with the server end, and the dispatcher over an agent (`weft exec
 * --agent` runs one in-process). Light on purpose: no Fastify, no store.
 */
export { type AgentCarrier, AgentDispatcher } from './dispatcher.js';
export { agentDisconnected, agentOffline, agentStreamError } from './errors.js';
export { CreditReceiver, CreditSender } from './flow.js';
export * from './protocol.js';
export type { AgentRequest, AgentResponse } from './session.js';
export { type Frame, FrameWriter, readFrames } from './wire.js';
