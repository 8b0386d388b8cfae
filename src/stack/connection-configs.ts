/**
 * The resolved TCP settings a stack gives its new connections: its defaults, a listener's or a
 * call's overrides, the MSS from the link MTU and the default peer MSS per IP version.
 */
import { resolveTcpConfig, type TcpConfig } from '../tcp/config.js';

export class ConnectionConfigs {
  readonly #defaults: Partial<TcpConfig>;
  readonly #mtu: number;
  readonly #cache = new WeakMap<object, { 4?: TcpConfig; 6?: TcpConfig }>();
  readonly #noExtra = {};

  /** `defaults`: the stack's settings (copied); `mtu`: its link MTU. */
  constructor(defaults: Partial<TcpConfig> | undefined, mtu: number) {
    this.#defaults = { ...(defaults ?? {}) };
    this.#mtu = mtu;
  }

  /**
   * The resolved settings for a new connection. Shared and frozen (the engine only reads them), so
   * a million connections with the stack's or a listener's settings hold one object, not a million:
   * cached for the stack defaults and per `cacheKey` (a listener, whose settings are a private
   * copy); a per-call `extra` object of openConnection is resolved afresh, as its owner may change
   * it later.
   */
  get(family: 4 | 6, extra: Partial<TcpConfig> | undefined, cacheKey?: object): TcpConfig {
    const key = cacheKey ?? (extra === undefined ? this.#noExtra : undefined);
    const cached = key ? this.#cache.get(key) : undefined;
    const hit = cached?.[family];
    if (hit) return hit;
    const merged = { ...this.#defaults, ...(extra ?? {}) };
    const overhead = family === 6 ? 60 : 40;
    if (merged.mss === undefined) merged.mss = this.#mtu - overhead;
    // RFC 9293 §3.7.1: without an MSS option assume 536 (IPv4) or 1220 (IPv6, RFC 8200 §5's 1280 − 60).
    if (merged.defaultPeerMss === undefined) merged.defaultPeerMss = family === 6 ? 1220 : 536;
    const config = Object.freeze(resolveTcpConfig(merged));
    if (key) {
      const entry = cached ?? {};
      entry[family] = config;
      if (!cached) this.#cache.set(key, entry);
    }
    return config;
  }
}
