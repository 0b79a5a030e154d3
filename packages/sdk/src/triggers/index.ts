/**
 * Trigger semantics shared by `weft exec`, `weft listen` and the runtime: the poll runner with
 * deduplication, seen-signature stores, webhook parsing and replies, static-webhook matching,
 * and signature checks.
 */
export { acceptWebhookEvents, checkSignatures, type EventSigner, type NewEvents, selectNew, signaturesOf } from './dedup.js';
export {
  MAX_EMPTY_POLLS,
  MAX_EVENTS_PER_POLL,
  type PollCycleOptions,
  type PollCycleOutcome,
  type PollOutcome,
  type RunPollOptions,
  runPoll,
  runPollCycle,
} from './poll.js';
export {
  buildWebhookReply,
  normalizeEvents,
  parseForm,
  parseWebhookBody,
  resolvePayload,
  type SignatureState,
  type WebhookReply,
  webhookErrorReply,
  webhookSignatureHelpers,
} from './reply.js';
export { FileSeenStore, MemorySeenStore, type SeenStore } from './seen.js';
export {
  checkHmac,
  checkStripeSignature,
  checkTimestampedHmac,
  computeHmac,
  DEFAULT_TOLERANCE_SECONDS,
  type HmacAlgorithm,
  type HmacOptions,
  parseSignatureHeader,
  type SignatureCheck,
  type SignatureEncoding,
  type StripeSignatureOptions,
  safeEqual,
  type TimestampedHmacOptions,
  verifyHmac,
  verifyStripeSignature,
  verifyTimestampedHmac,
} from './signature.js';
export {
  matchStaticWebhook,
  runWebhookNotification,
  type StaticRecipe,
  type WebhookOutcome,
  type WebhookRunOptions,
  webhookKeyOfRecipe,
  webhookKeyOfRequest,
} from './webhooks.js';
