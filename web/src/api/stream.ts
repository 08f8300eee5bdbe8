// One WebSocket to /api/v1/stream for the whole app. Components follow devices and get their
// messages; the socket reconnects by itself with backoff (after a server restart, a network
// drop, a token refresh), re-subscribes everything and tells followers to fetch what they missed.
import { STREAM_PATH, type StreamClientMessage, type StreamServerMessage } from '../../../src/contract/stream.ts';

export type StreamState = 'connecting' | 'live' | 'offline';
type DeviceListener = (msg: StreamServerMessage) => void;

export interface StreamOptions {
  url: string;
  token: () => Promise<string | undefined>;
  /** WebSocket constructor (tests pass their own). */
  WebSocketImpl?: typeof WebSocket;
  maxBackoffMs?: number;
}

export class LiveStream {
  private ws: WebSocket | undefined;
  private readonly followers = new Map<string, Set<DeviceListener>>();
  private readonly stateListeners = new Set<(s: StreamState) => void>();
  private readonly resumeListeners = new Set<() => void>();
  /** Devices the server has confirmed following on this connection. */
  private readonly confirmed = new Set<string>();
  private readonly confirmListeners = new Set<() => void>();
  private readonly alarmListeners = new Set<(msg: Extract<StreamServerMessage, { type: 'alarm' }>) => void>();
  /** How many parts of the app want every alarm change (followAlarms), and whether the server confirmed it. */
  private alarmSubscribers = 0;
  private alarmsConfirmed = false;
  private state: StreamState = 'offline';
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private everLive = false;

  constructor(private readonly options: StreamOptions) {}

  get status(): StreamState {
    return this.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
    this.ws = undefined;
    this.setState('offline');
  }

  /** Follows a device; returns the function that stops following. */
  follow(deviceId: string, fn: DeviceListener): () => void {
    let set = this.followers.get(deviceId);
    if (!set) {
      this.followers.set(deviceId, (set = new Set()));
      this.send({ type: 'subscribe', device_ids: [deviceId] });
    }
    set.add(fn);
    return () => {
      const current = this.followers.get(deviceId);
      if (!current) return;
      current.delete(fn);
      if (current.size === 0) {
        this.followers.delete(deviceId);
        this.confirmed.delete(deviceId);
        this.send({ type: 'unsubscribe', device_ids: [deviceId] });
      }
    };
  }

  /**
   * Receives the alarm changes of every device the user may read, followed or not (through onAlarm);
   * returns the function that stops. isFollowingAlarms() says when the server has confirmed it.
   */
  followAlarms(): () => void {
    if (this.alarmSubscribers++ === 0) this.send({ type: 'subscribe_alarms' });
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      if (--this.alarmSubscribers > 0) return;
      this.alarmsConfirmed = false;
      this.send({ type: 'unsubscribe_alarms' });
    };
  }

  isFollowingAlarms(): boolean {
    return this.alarmsConfirmed;
  }

  onState(fn: (s: StreamState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Whether the server has confirmed it sends this device's messages (so nothing live is missed from now on). */
  isConfirmed(deviceId: string): boolean {
    return this.confirmed.has(deviceId);
  }

  /** Every alarm change the stream delivers: of followed devices, and of every readable device while followAlarms is on. */
  onAlarm(fn: (msg: Extract<StreamServerMessage, { type: 'alarm' }>) => void): () => void {
    this.alarmListeners.add(fn);
    return () => this.alarmListeners.delete(fn);
  }

  /** Called when the server confirms following devices, or all alarms. */
  onConfirmed(fn: () => void): () => void {
    this.confirmListeners.add(fn);
    return () => this.confirmListeners.delete(fn);
  }

  /** Called after a reconnection: data may have been missed, so fetch it again. */
  onResume(fn: () => void): () => void {
    this.resumeListeners.add(fn);
    return () => this.resumeListeners.delete(fn);
  }

  private setState(s: StreamState): void {
    if (s === this.state) return;
    this.state = s;
    for (const fn of this.stateListeners) fn(s);
  }

  private send(msg: StreamClientMessage): void {
    if (this.ws?.readyState === 1 && this.state === 'live') this.ws.send(JSON.stringify(msg));
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    const token = await this.options.token().catch(() => undefined);
    if (this.stopped) return;
    if (!token) return this.retry();
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const ws = new Impl(this.options.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token } satisfies StreamClientMessage));
    ws.onmessage = (event) => {
      let msg: StreamServerMessage;
      try {
        msg = JSON.parse(String(event.data)) as StreamServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'ready') {
        this.attempts = 0;
        this.setState('live');
        const ids = [...this.followers.keys()];
        for (let i = 0; i < ids.length; i += 500) ws.send(JSON.stringify({ type: 'subscribe', device_ids: ids.slice(i, i + 500) }));
        if (this.alarmSubscribers > 0) ws.send(JSON.stringify({ type: 'subscribe_alarms' } satisfies StreamClientMessage));
        if (this.everLive) for (const fn of this.resumeListeners) fn();
        this.everLive = true;
        return;
      }
      if (msg.type === 'subscribed') {
        for (const id of msg.device_ids) if (this.followers.has(id)) this.confirmed.add(id);
        for (const fn of this.confirmListeners) fn();
        return;
      }
      if (msg.type === 'alarms_subscribed') {
        this.alarmsConfirmed = msg.subscribed && this.alarmSubscribers > 0;
        for (const fn of this.confirmListeners) fn();
        return;
      }
      if (msg.type === 'alarm') for (const fn of this.alarmListeners) fn(msg);
      if ('device_id' in msg) for (const fn of this.followers.get(msg.device_id) ?? []) fn(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.confirmed.clear();
      this.alarmsConfirmed = false;
      this.ws = undefined;
      this.retry();
    };
    ws.onerror = () => undefined; // onclose follows and schedules the retry
  }

  private retry(): void {
    if (this.stopped) return;
    this.setState('offline');
    const max = this.options.maxBackoffMs ?? 10_000;
    const delay = Math.min(max, 250 * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts += 1;
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

export function streamUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${STREAM_PATH}`;
}
