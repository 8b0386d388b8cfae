/**
 * The named scenarios of `synack demo --scenario NAME`, in `--list` order. Each is a few lines on
 * top of the request/response exchange (exchange.ts) and a targeted drop or a changed setting.
 * `expect` is the states each side goes through with the default parameters (the tests assert it).
 */
import type { TcpState } from '../tcp/state.js';
import { dropFirst, hasData, isPureAck, isSyn, isSynAck } from './filters.js';
import { fetchOnce, REQUEST, response, serveOnce } from './exchange.js';
import { CLIENT_ADDRESS, SERVER_ADDRESS, type Scenario } from './scenario.js';

const CLIENT_MISSION: TcpState[] = [
  'CLOSED',
  'SYN-SENT',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSED',
];
const SERVER_MISSION: TcpState[] = [
  'LISTEN',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'CLOSE-WAIT',
  'LAST-ACK',
  'CLOSED',
];
const MISSION = { client: CLIENT_MISSION, server: SERVER_MISSION };

const fromClient = (p: { from: string }): boolean => p.from === CLIENT_ADDRESS;
const fromServer = (p: { from: string }): boolean => p.from === SERVER_ADDRESS;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'handshake',
    summary: 'a client connects, sends a request, the server answers, both close (the whole life)',
    lookFor:
      "three segments to open, data with its ACKs, four to close, then TIME-WAIT's 2·MSL wait",
    expect: MISSION,
    setup(ctx) {
      serveOnce(ctx);
      fetchOnce(ctx);
    },
  },
  {
    name: 'syn-lost',
    summary: 'the first SYN is lost: the client retransmits it after the initial RTO (1 s)',
    lookFor: 'the SYN ending in a cross, one second of silence, the same SYN again',
    expect: MISSION,
    setup(ctx) {
      ctx.net.addFilter(dropFirst((p) => fromClient(p) && isSyn(p)));
      serveOnce(ctx);
      fetchOnce(ctx);
    },
  },
  {
    name: 'synack-lost',
    summary:
      'the SYN-ACK is lost: the server stays in SYN-RECEIVED until a retransmission gets through',
    lookFor: 'the SYN-ACK ending in a cross; the retransmitted SYN (or SYN-ACK) that recovers',
    expect: MISSION,
    setup(ctx) {
      ctx.net.addFilter(dropFirst((p) => fromServer(p) && isSynAck(p)));
      serveOnce(ctx);
      fetchOnce(ctx);
    },
  },
  {
    name: 'ack-lost',
    summary: "the handshake's third segment (the ACK) is lost: the request's own ACK completes it",
    lookFor: 'the server reaching ESTABLISHED on the request segment: ACKs are cumulative',
    expect: MISSION,
    setup(ctx) {
      ctx.net.addFilter(dropFirst((p) => fromClient(p) && isPureAck(p)));
      serveOnce(ctx);
      fetchOnce(ctx);
    },
  },
  {
    name: 'simultaneous-open',
    summary: 'both hosts send a SYN to each other at once: SYN-SENT → SYN-RECEIVED on both sides',
    lookFor: 'the SYNs crossing, each side answering with SYN-ACK (RFC 9293 Figure 8)',
    expect: {
      client: [
        'CLOSED',
        'SYN-SENT',
        'SYN-RECEIVED',
        'ESTABLISHED',
        'FIN-WAIT-1',
        'FIN-WAIT-2',
        'TIME-WAIT',
        'CLOSED',
      ],
      server: [
        'CLOSED',
        'SYN-SENT',
        'SYN-RECEIVED',
        'ESTABLISHED',
        'CLOSE-WAIT',
        'LAST-ACK',
        'CLOSED',
      ],
    },
    setup(ctx) {
      const { client, server, clientPeer, serverPeer } = ctx;
      const c = client.openConnection({ address: SERVER_ADDRESS, port: 6000, localPort: 5000 });
      const s = server.openConnection({ address: CLIENT_ADDRESS, port: 5000, localPort: 6000 });
      let answered = false;
      let closed = false;
      clientPeer.onEstablished = () => clientPeer.write(REQUEST);
      serverPeer.onData = (total) => {
        if (answered || total < REQUEST.length) return;
        answered = true;
        serverPeer.write(response(ctx.params.bytes));
      };
      clientPeer.onData = (total) => {
        if (!closed && total >= ctx.params.bytes) {
          closed = true;
          clientPeer.close();
        }
      };
      serverPeer.onPeerFin = () => ctx.after(1, () => serverPeer.close());
      clientPeer.attach(c);
      serverPeer.attach(s);
    },
  },
  {
    name: 'simultaneous-close',
    summary: 'both sides close at the same moment: their FINs cross, both go through CLOSING',
    lookFor: 'two FINs in flight at once; FIN-WAIT-1 → CLOSING → TIME-WAIT on both sides',
    expect: {
      client: ['CLOSED', 'SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'CLOSING', 'TIME-WAIT', 'CLOSED'],
      server: [
        'LISTEN',
        'SYN-RECEIVED',
        'ESTABLISHED',
        'FIN-WAIT-1',
        'CLOSING',
        'TIME-WAIT',
        'CLOSED',
      ],
    },
    setup(ctx) {
      // The server closes one path delay after answering: just as the answer reaches the client,
      // which closes on receipt. Both FINs leave before either arrives.
      serveOnce(ctx, { serverClose: 'after-response', serverCloseDelay: ctx.params.delay });
      fetchOnce(ctx);
    },
  },
  {
    name: 'half-close',
    summary: 'the client closes right after its request; the server keeps sending in CLOSE-WAIT',
    lookFor: "data flowing from the server after the client's FIN: a FIN closes one direction only",
    defaults: { bytes: 4000 },
    expect: MISSION,
    setup(ctx) {
      serveOnce(ctx, { serverClose: 'after-response', serverCloseDelay: 1 });
      fetchOnce(ctx, { clientClose: 'after-request' });
    },
  },
  {
    name: 'refused',
    summary: 'the client connects to a port nobody listens on: RST,ACK, connection refused',
    lookFor: "the server's stack answering the SYN with RST,ACK (RFC 9293 §3.10.7.1)",
    expect: { client: ['CLOSED', 'SYN-SENT', 'CLOSED'], server: [] },
    setup(ctx) {
      fetchOnce(ctx, { port: 81 });
    },
  },
  {
    name: 'reset',
    summary: 'the client aborts in the middle of the answer: RST, no FIN exchange, no TIME-WAIT',
    lookFor: 'one RST closing both sides at once; segments still in flight answered by RSTs',
    defaults: { bytes: 20000 },
    expect: {
      client: ['CLOSED', 'SYN-SENT', 'ESTABLISHED', 'CLOSED'],
      server: ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED', 'CLOSED'],
    },
    setup(ctx) {
      serveOnce(ctx);
      fetchOnce(ctx, { onClientBytes: { at: 2000, run: (c) => c.clientPeer.abort() } });
    },
  },
  {
    name: 'fin-wait-2-timeout',
    summary:
      'the server never closes: the client gives up in FIN-WAIT-2 after its timeout (5 s here)',
    lookFor:
      'the client stuck in FIN-WAIT-2 until the fin-wait-2 timer closes it; the server left in CLOSE-WAIT',
    clientTcp: { finWait2Timeout: 5000 },
    expect: {
      client: ['CLOSED', 'SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSED'],
      server: ['LISTEN', 'SYN-RECEIVED', 'ESTABLISHED', 'CLOSE-WAIT'],
    },
    setup(ctx) {
      serveOnce(ctx, { serverClose: 'never' });
      fetchOnce(ctx);
    },
  },
  {
    name: 'time-wait',
    summary:
      "the client's last ACK is lost: the server repeats its FIN and TIME-WAIT answers it again",
    lookFor: 'the retransmitted FIN re-ACKed from TIME-WAIT: the reason TIME-WAIT exists',
    expect: MISSION,
    setup(ctx) {
      ctx.net.addFilter(
        dropFirst(
          (p) => fromClient(p) && isPureAck(p) && ctx.clientPeer.conn?.state === 'TIME-WAIT',
        ),
      );
      serveOnce(ctx);
      fetchOnce(ctx);
    },
  },
  {
    name: 'lossy-transfer',
    summary:
      'a 40 kB answer with two segments lost: a fast retransmit, then a timeout for the tail',
    lookFor:
      'duplicate ACKs, the fast retransmit after the third (RFC 5681 §3.2), the RTO retransmission',
    defaults: { bytes: 40000 },
    expect: MISSION,
    setup(ctx) {
      let dataSegments = 0;
      let base: number | undefined;
      const total = ctx.params.bytes;
      // The 4th data segment from the server: later ones make duplicate ACKs → fast retransmit.
      ctx.net.addFilter(
        dropFirst((p) => {
          if (!fromServer(p) || !hasData(p)) return false;
          dataSegments++;
          return dataSegments === 4;
        }),
      );
      // The last data segment, the first time: nothing follows it, so only the RTO recovers it.
      ctx.net.addFilter(
        dropFirst((p) => {
          if (!fromServer(p) || !hasData(p) || !p.segment) return false;
          base ??= p.segment.seq;
          return ((p.segment.seq - base) >>> 0) + p.segment.payload.length === total;
        }),
      );
      serveOnce(ctx);
      fetchOnce(ctx);
    },
  },
  {
    name: 'zero-window',
    summary: 'the client stops reading: its window closes to 0, the server probes until it reopens',
    lookFor:
      "win=0 advertised, the server's window probes, the window update when the client reads",
    defaults: { bytes: 16000 },
    clientTcp: { receiveBufferSize: 4096, windowScaling: false },
    expect: MISSION,
    setup(ctx) {
      serveOnce(ctx);
      fetchOnce(ctx, { clientReadPause: 3000 });
    },
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
