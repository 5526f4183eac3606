// Carries alert notifications to webhook receivers: per target, a bounded queue kept in
// order, one request in flight, retries with backoff. notify() only enqueues, so a slow
// or dead receiver never holds up the rules that raise alerts.

import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../log/logger.js';
import { createRateLimiter } from '../rate-limiter.js';
import { backoffDelayMs } from '../sampler/backoff.js';
import type { AlertNotification } from './types.js';
import { formatNotification, redactUrl, type WebhookFormat, type WebhookPayload, type WebhookTarget } from './webhook-format.js';

export {
  formatNotification,
  parseWebhookTargets,
  type WebhookFormat,
  type WebhookPayload,
  type WebhookTarget,
} from './webhook-format.js';

export interface Notifier {
  /** Queues the notification for every target and returns at once; never throws. */
  notify(n: AlertNotification): void;
  status(): WebhookStatus[];
  /** Cancels retries and ignores later notify() calls; waits for requests in flight, 1 s at most. */
  stop(): Promise<void>;
}

export interface WebhookStatus {
  /** The target's `display`: no credentials, path or query. */
  target: string;
  format: WebhookFormat;
  delivered: number;
  /** Deliveries given up after their last attempt. */
  failed: number;
  /** Deliveries pushed out of a full queue before their first attempt. */
  dropped: number;
  /** Deliveries not yet settled, the one being tried included. */
  queued: number;
  lastError: string | null;
  lastErrorAtMs: number | null;
  lastDeliveredAtMs: number | null;
}

export interface WebhookNotifierDeps {
  targets: readonly WebhookTarget[];
  logger: Logger;
  now?: () => number;
  userAgent?: string;
  onDelivered?: (n: AlertNotification, target: WebhookTarget) => void;
}

export interface WebhookNotifierOptions {
  maxQueue?: number;
  /** Deadline for one attempt, from connecting to the response's end. */
  timeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
}

const WARN_INTERVAL_MS = 60_000;
const STOP_GRACE_MS = 1000;
// A 4xx says the request itself is wrong; one retry covers a proxy's hiccup.
const CLIENT_ERROR_ATTEMPTS = 2;

type Outcome = { ok: true } | { ok: false; error: string; clientError: boolean };

interface Attempt {
  done: Promise<Outcome>;
  abort: () => void;
}

interface Delivery {
  notification: AlertNotification;
  payload: WebhookPayload;
  attempts: number;
}

interface Lane {
  target: WebhookTarget;
  index: number;
  queue: Delivery[];
  current: Delivery | null;
  attempt: Attempt | null;
  timer: NodeJS.Timeout | null;
  failing: boolean;
  delivered: number;
  failed: number;
  dropped: number;
  lastError: string | null;
  lastErrorAtMs: number | null;
  lastDeliveredAtMs: number | null;
}

export function createWebhookNotifier(deps: WebhookNotifierDeps, options: WebhookNotifierOptions = {}): Notifier {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const userAgent = deps.userAgent ?? 'dockmon';
  const maxQueue = Math.max(1, options.maxQueue ?? 100);
  const timeoutMs = options.timeoutMs ?? 5000;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const mayLog = createRateLimiter(WARN_INTERVAL_MS, now);
  const lanes: Lane[] = deps.targets.map((target, index) => ({
    target, index, queue: [], current: null, attempt: null, timer: null, failing: false,
    delivered: 0, failed: 0, dropped: 0, lastError: null, lastErrorAtMs: null, lastDeliveredAtMs: null,
  }));
  let stopped = false;

  function warn(lane: Lane, kind: string, message: string, fields: Record<string, unknown>): void {
    const decision = mayLog(`${lane.index}:${kind}`);
    if (!decision.allowed) return;
    const suppressed = decision.suppressed > 0 ? { suppressed: decision.suppressed } : {};
    logger.warn(message, { target: lane.target.display, format: lane.target.format, ...fields, ...suppressed });
  }

  function enqueue(lane: Lane, n: AlertNotification): void {
    lane.queue.push({ notification: n, payload: formatNotification(n, lane.target.format), attempts: 0 });
    if (lane.queue.length > maxQueue) {
      lane.queue.shift();
      lane.dropped++;
      warn(lane, 'dropped', 'webhook queue full; dropped the oldest notification', { dropped: lane.dropped });
    }
    pump(lane);
  }

  function pump(lane: Lane): void {
    if (stopped || lane.current !== null) return;
    const next = lane.queue.shift();
    if (next === undefined) return;
    lane.current = next;
    tryOnce(lane, next);
  }

  function tryOnce(lane: Lane, delivery: Delivery): void {
    lane.timer = null;
    delivery.attempts++;
    const attempt = sendOnce(lane.target, delivery.payload, userAgent, timeoutMs);
    lane.attempt = attempt;
    void attempt.done.then((outcome) => {
      lane.attempt = null;
      if (outcome.ok) succeed(lane, delivery);
      else fail(lane, delivery, outcome);
    });
  }

  function succeed(lane: Lane, delivery: Delivery): void {
    lane.delivered++;
    lane.lastDeliveredAtMs = now();
    lane.current = null;
    if (lane.failing) {
      lane.failing = false;
      logger.info('webhook receiver recovered', { target: lane.target.display, format: lane.target.format });
    }
    try {
      deps.onDelivered?.(delivery.notification, lane.target);
    } catch {
      // The caller's bookkeeping; a bug there must not stall this queue.
    }
    pump(lane);
  }

  function fail(lane: Lane, delivery: Delivery, outcome: Outcome & { ok: false }): void {
    // An attempt cut short by stop() says nothing about the receiver.
    if (stopped) return;
    const error = redactUrl(outcome.error, lane.target.url);
    lane.lastError = error;
    lane.lastErrorAtMs = now();
    lane.failing = true;
    const limit = outcome.clientError ? Math.min(CLIENT_ERROR_ATTEMPTS, maxAttempts) : maxAttempts;
    if (delivery.attempts >= limit) {
      lane.failed++;
      lane.current = null;
      warn(lane, 'gave-up', 'webhook delivery failed; giving up on it', { attempts: delivery.attempts, error, failed: lane.failed });
      pump(lane);
      return;
    }
    const delayMs = backoffDelayMs(delivery.attempts - 1, retryBaseMs, retryMaxMs);
    warn(lane, 'attempt', 'webhook delivery failed; will retry', { attempt: delivery.attempts, error, retryInMs: delayMs });
    lane.timer = setTimeout(() => tryOnce(lane, delivery), delayMs);
    lane.timer.unref();
  }

  return {
    notify(n) {
      if (stopped) return;
      for (const lane of lanes) {
        try {
          enqueue(lane, n);
        } catch (error) {
          // Formatting is total over well-typed input; this guards the contract, not a known case.
          logger.error('webhook notification could not be queued', { target: lane.target.display, error });
        }
      }
    },
    status: () =>
      lanes.map((lane) => ({
        target: lane.target.display,
        format: lane.target.format,
        delivered: lane.delivered,
        failed: lane.failed,
        dropped: lane.dropped,
        queued: lane.queue.length + (lane.current === null ? 0 : 1),
        lastError: lane.lastError,
        lastErrorAtMs: lane.lastErrorAtMs,
        lastDeliveredAtMs: lane.lastDeliveredAtMs,
      })),
    async stop() {
      stopped = true;
      for (const lane of lanes) {
        if (lane.timer !== null) clearTimeout(lane.timer);
        lane.timer = null;
      }
      const inFlight = lanes.flatMap((lane) => (lane.attempt === null ? [] : [lane.attempt]));
      if (inFlight.length === 0) return;
      let grace: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, STOP_GRACE_MS);
        grace.unref();
      });
      await Promise.race([Promise.all(inFlight.map((attempt) => attempt.done)), graceOver]);
      clearTimeout(grace);
      for (const attempt of inFlight) attempt.abort();
    },
  };
}

/**
 * One POST. Settles on the response's status line (the receiver has the message by
 * then); the deadline keeps running until the body has been drained, so a receiver
 * that never finishes its answer cannot keep the socket open.
 */
function sendOnce(target: WebhookTarget, payload: WebhookPayload, userAgent: string, timeoutMs: number): Attempt {
  let resolveDone!: (outcome: Outcome) => void;
  const done = new Promise<Outcome>((resolve) => (resolveDone = resolve));
  let settled = false;
  const settle = (outcome: Outcome): void => {
    if (settled) return;
    settled = true;
    resolveDone(outcome);
  };
  const failure = (error: unknown): Outcome => ({ ok: false, error: describeRequestError(error), clientError: false });

  const body = Buffer.from(payload.body, 'utf8');
  const headers = {
    ...payload.headers,
    'Content-Type': payload.contentType,
    'Content-Length': String(body.length),
    'User-Agent': userAgent,
  };
  let request: http.ClientRequest;
  try {
    const send = target.url.protocol === 'https:' ? https.request : http.request;
    // agent: false – a fresh connection per attempt: webhooks are rare, and a pooled
    // socket the receiver has since closed would only add a spurious failed attempt.
    request = send(target.url, { method: 'POST', headers, agent: false });
  } catch (error) {
    settle(failure(error));
    return { done, abort: () => undefined };
  }
  const deadline = setTimeout(() => request.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
  deadline.unref();

  request.on('response', (response) => {
    // Destroying the request mid-body makes the response emit 'error'; the outcome is already known.
    response.on('error', () => undefined);
    response.on('close', () => clearTimeout(deadline));
    response.resume();
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return settle({ ok: true });
    const reason = response.statusMessage === undefined || response.statusMessage === '' ? '' : ` ${response.statusMessage}`;
    settle({ ok: false, error: `HTTP ${status}${reason}`, clientError: isClientError(status) });
  });
  request.on('error', (error) => {
    clearTimeout(deadline);
    settle(failure(error));
  });
  request.on('close', () => {
    clearTimeout(deadline);
    settle({ ok: false, error: 'connection closed without a response', clientError: false });
  });
  request.end(body);
  return { done, abort: () => request.destroy(new Error('notifier stopped')) };
}

// 408 and 429 are the 4xx answers that invite a later retry.
function isClientError(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

// Node's happy-eyeballs connect fails with an AggregateError whose message is empty:
// the code is then all there is to say.
function describeRequestError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || error.message.includes(code)) return error.message === '' ? error.name : error.message;
  return error.message === '' ? code : `${error.message} (${code})`;
}
