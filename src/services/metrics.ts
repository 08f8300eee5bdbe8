// Prometheus metrics of one node, served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Tally } from './tally.ts';

const kindLabel = (kind: string) => ({ kind });

export class Metrics {
  readonly registry = new Registry();
  private readonly unscrapedRequests = new Tally<'method' | 'route' | 'status'>();
  readonly httpRequests: Counter<'method' | 'route' | 'status'> = new Counter({
    name: 'fluxgate_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
    collect: () => this.unscrapedRequests.flushInto(this.httpRequests),
  });

  /** Counts one answered request (added to fluxgate_http_requests_total when it is scraped). */
  countHttpRequest(method: string, route: string, status: number): void {
    this.unscrapedRequests.add(`${method} ${status} ${route}`, () => ({ method, route, status }));
  }
  readonly pointsIngested = new Counter({
    name: 'fluxgate_points_ingested_total',
    help: 'Telemetry points committed to storage (duplicates excluded)',
    registers: [this.registry],
  });
  readonly pointsDuplicate = new Counter({
    name: 'fluxgate_points_duplicate_total',
    help: 'Telemetry points ignored because the same device, field and time was already stored',
    registers: [this.registry],
  });
  readonly ingestRejected = new Counter({
    name: 'fluxgate_ingest_rejected_total',
    help: 'Telemetry submissions refused, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'fluxgate_commit_seconds',
    help: 'Time to commit one group of points to storage',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly commitBatchPoints = new Histogram({
    name: 'fluxgate_commit_batch_points',
    help: 'Points per storage commit (group commit size)',
    buckets: [1, 10, 100, 1000, 5000, 10000, 20000],
    registers: [this.registry],
  });
  /** Read at scrape time: setting the gauge on every submission and commit cost more than the read. */
  private pendingPoints: () => number = () => 0;
  readonly ingestPending: Gauge = new Gauge({
    name: 'fluxgate_ingest_pending_points',
    help: 'Points accepted for commit and not yet committed',
    registers: [this.registry],
    collect: () => {
      this.ingestPending.set(this.pendingPoints());
    },
  });

  /** Where fluxgate_ingest_pending_points is read from (the ingest pipeline). */
  trackPendingPoints(read: () => number): void {
    this.pendingPoints = read;
  }

  readonly mqttAdminPasswordChecks = new Counter({
    name: 'fluxgate_mqtt_admin_password_checks_total',
    help: 'argon2 checks of admin passwords for MQTT CONNECTs and broker auth hooks (verified ones are then answered from a short-lived cache)',
    registers: [this.registry],
  });
  readonly commandsResent = new Counter({
    name: 'fluxgate_commands_resent_total',
    help: 'Commands this node published again because they were still pending COMMAND_RESEND_AFTER_MS after creation (at-least-once delivery)',
    registers: [this.registry],
  });
  readonly mqttRefused = new Counter({
    name: 'fluxgate_mqtt_refused_total',
    help: 'MQTT connects, publishes and subscriptions refused by authentication or the ACL',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly mqttDropped = new Counter({
    name: 'fluxgate_mqtt_dropped_total',
    help: 'MQTT messages dropped, by reason (invalid telemetry, too large, storage refusal)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly unscrapedMqttMessages = new Tally<'kind'>();
  readonly mqttMessages: Counter<'kind'> = new Counter({
    name: 'fluxgate_mqtt_messages_total',
    help: 'MQTT messages received from devices, by topic kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
    collect: () => this.unscrapedMqttMessages.flushInto(this.mqttMessages),
  });

  /** Counts one MQTT message from a device (added to fluxgate_mqtt_messages_total when it is scraped). */
  countMqttMessage(kind: string): void {
    this.unscrapedMqttMessages.add(kind, kindLabel);
  }
  readonly wsProtocolErrors = new Counter({
    name: 'fluxgate_ws_protocol_errors_total',
    help: 'WebSocket connections of the live stream closed for a malformed frame, by reason (e.g. expected_mask, invalid_opcode, invalid_utf8, unsupported_message_length)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly mqttClients = new Gauge({
    name: 'fluxgate_mqtt_clients',
    help: 'MQTT clients connected to this node',
    registers: [this.registry],
  });

  private scheduler: () => { leader: boolean; runs: ReadonlyMap<string, number> } = () => ({ leader: true, runs: new Map() });
  readonly schedulerLeader: Gauge = new Gauge({
    name: 'fluxgate_scheduler_leader',
    help: '1 while this node runs the periodic jobs on shared data (command expiry and resend, log retention, rule timers), else 0',
    registers: [this.registry],
    collect: () => {
      this.schedulerLeader.set(this.scheduler().leader ? 1 : 0);
    },
  });
  readonly schedulerRuns: Counter<'job'> = new Counter({
    name: 'fluxgate_scheduler_job_runs_total',
    help: 'Runs of each periodic job on shared data on this node (only the leader runs them)',
    labelNames: ['job'] as const,
    registers: [this.registry],
    collect: () => {
      this.schedulerRuns.reset();
      for (const [job, n] of this.scheduler().runs) this.schedulerRuns.inc({ job }, n);
    },
  });

  /** Where the scheduler gauges read from at scrape time. */
  observeScheduler(read: () => { leader: boolean; runs: ReadonlyMap<string, number> }): void {
    this.scheduler = read;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'fluxgate_' });
  }
}
