// What every handler is given: the agent's parts (AppDeps) and the request. Its own file so
// that the route table (routes.ts) and the handlers (page.ts, detail-route.ts, ...) both
// import it and never each other's back.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertEngine } from '../alerts/engine.js';
import type { WebhookStatus } from '../alerts/webhook-notifier.js';
import type { StoppedRegistry } from '../lifecycle/stopped.js';
import type { Timeline } from '../lifecycle/timeline.js';
import type { Logger } from '../log/logger.js';
import type { MetricsExporter } from '../metrics/exporter.js';
import type { Peers } from '../peers/peers.js';
import type { StatsLogWriter } from '../sampler/stats-log.js';
import type { StoreReader } from '../sampler/store.js';
import type { ContainerJsonCache } from './container-json-cache.js';
import type { LiveUpdates } from './live-updates.js';
import type { SharedRender } from './shared-render.js';
import type { StaticFile } from './static-files.js';

/** What the handlers read of the lifecycle and the alerts. */
export interface LifecycleReader {
  stopped: Pick<StoppedRegistry, 'list' | 'get'>;
  timeline: Pick<Timeline, 'get' | 'all'>;
  alerts: Pick<AlertEngine, 'list' | 'firing' | 'firingFor'>;
  webhooks(): WebhookStatus[];
  eventsLogStatus(): { ok: boolean; error: string | null; path: string };
}

/**
 * The stats log as the page's routes see it: they say which samples they served and the
 * sampling side writes the lines, each sample once (SPEC "Logs").
 */
export type ServedSamples = Pick<StatsLogWriter, 'served'>;

export interface AppDeps {
  store: StoreReader;
  statsLog: ServedSamples;
  /** The stats log's health, for /healthz and the page's banner. */
  logStatus(): { ok: boolean; error: string | null; path: string };
  staticFiles: ReadonlyMap<string, StaticFile>;
  /** Renders /metrics from the store; holds the counter offsets that keep counters monotonic. */
  metrics: MetricsExporter;
  logger: Logger;
  now(): number;
  version: string;
  startedAtMs: number;
  /** The page's Server-Sent Events; without it /live answers 503 and the page polls /table. */
  live?: LiveUpdates;
  /** /table and /metrics renderings shared by the requests of a quarter-second (shared-render.ts). */
  shared: SharedRender;
  /** Each container's /containers entry as text, kept per sample (container-json-cache.ts). */
  containerJson: ContainerJsonCache;
  /** Stopped containers, timelines and alerts; without it /alerts and /containers/events answer 404. */
  lifecycle?: LifecycleReader;
  /** This host's name (NODE_NAME, else the hostname), sent with /containers and shown in the Host column. */
  node: string;
  /** This agent's random ID, sent with /containers: an agent finds itself among its peers by it. */
  agentId: string;
  /** The other agents' last answers (PEERS); absent without PEERS: no Host column, no hosts=all. */
  peers?: PeersReader;
}

export type PeersReader = Pick<Peers, 'list' | 'discoveryError' | 'revision'>;

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  deps: AppDeps;
}

export type Handler = (context: RequestContext) => void;

