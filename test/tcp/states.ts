/**
 * Drives a fresh Connection into any of the eleven states with exact segments (active open, ISS
 * 1000, peer ISS 9000; passive open, ISS 5000, peer ISS 7000), for tests that need "a connection
 * in state X".
 */
import type { TcpState } from '../../src/tcp/state.js';
import { ACK, Driver, FIN, SYN, activeOpen, established, passiveOpen, seg } from './helpers.js';
import type { TcpConfig } from '../../src/tcp/config.js';

export function reachState(state: TcpState, cfg: Partial<TcpConfig> = {}): Driver {
  switch (state) {
    case 'CLOSED': {
      const d = established(cfg);
      d.conn.abort(15);
      d.output(15);
      return d;
    }
    case 'LISTEN':
      return passiveOpen(cfg);
    case 'SYN-SENT': {
      const d = activeOpen(cfg);
      d.output(0);
      return d;
    }
    case 'SYN-RECEIVED': {
      const d = passiveOpen(cfg);
      d.input(seg({ seq: 7000, flags: SYN, options: { mss: 1000 } }), 0);
      return d;
    }
    case 'ESTABLISHED':
      return established(cfg);
    case 'FIN-WAIT-1': {
      const d = established(cfg);
      d.conn.close(20);
      d.output(20);
      return d;
    }
    case 'FIN-WAIT-2': {
      const d = reachState('FIN-WAIT-1', cfg);
      d.input(seg({ seq: 9001, ack: 1002, flags: ACK }), 30);
      return d;
    }
    case 'CLOSE-WAIT': {
      const d = established(cfg);
      d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 20);
      return d;
    }
    case 'CLOSING': {
      const d = reachState('FIN-WAIT-1', cfg);
      d.input(seg({ seq: 9001, ack: 1001, flags: FIN | ACK }), 30);
      return d;
    }
    case 'LAST-ACK': {
      const d = reachState('CLOSE-WAIT', cfg);
      d.conn.close(30);
      d.output(30);
      return d;
    }
    case 'TIME-WAIT': {
      const d = reachState('FIN-WAIT-2', cfg);
      d.input(seg({ seq: 9001, ack: 1002, flags: FIN | ACK }), 40);
      return d;
    }
  }
}
