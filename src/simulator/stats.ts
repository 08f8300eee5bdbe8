// Counters of a fleet run, for the progress line, the summary and the control API.

// A type alias (not an interface) so it fits Record<string, number> in the control API's schema.
export type FleetCounters = {
  /** Message slots that came due. */
  scheduled: number;
  /** Messages handed to the transport (including malformed ones). */
  sent: number;
  /** Messages the platform took (HTTP 2xx, MQTT PUBACK). */
  accepted: number;
  /** Messages the platform refused (HTTP 4xx): expected for injected malformed payloads. */
  rejected: number;
  /** Sends that failed otherwise (network, 5xx, not connected). */
  failed: number;
  dropped: number;
  malformed: number;
  spikes: number;
  offlineEvents: number;
  commands: number;
  commandsFailed: number;
  acksSent: number;
  desiredUpdates: number;
  errors: number;
  /** Sum and max of how late sends ran against their schedule, ms. */
  lateMsSum: number;
  lateMsMax: number;
};

export const emptyCounters = (): FleetCounters => ({
  scheduled: 0,
  sent: 0,
  accepted: 0,
  rejected: 0,
  failed: 0,
  dropped: 0,
  malformed: 0,
  spikes: 0,
  offlineEvents: 0,
  commands: 0,
  commandsFailed: 0,
  acksSent: 0,
  desiredUpdates: 0,
  errors: 0,
  lateMsSum: 0,
  lateMsMax: 0,
});

/** Messages per second over a sliding window of samples. */
export class RateMeter {
  private samples: Array<{ t: number; n: number }> = [];

  constructor(private readonly windowMs = 5_000) {}

  sample(t: number, total: number): number {
    this.samples.push({ t, n: total });
    while (this.samples.length > 2 && this.samples[0]!.t < t - this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    return t > first.t ? ((total - first.n) * 1000) / (t - first.t) : 0;
  }
}
