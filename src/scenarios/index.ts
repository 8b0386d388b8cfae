/** The demo scenarios (browser-safe: the web page runs them on the simulated network too). */
export { SCENARIOS, findScenario } from './catalog.js';
export {
  runScenario,
  DEFAULT_PARAMS,
  CLIENT_ADDRESS,
  SERVER_ADDRESS,
  SERVER_PORT,
  SCENARIO_LANES,
  type Scenario,
  type ScenarioContext,
  type ScenarioParams,
  type ScenarioRun,
} from './scenario.js';
export { Peer, concat } from './peer.js';
export { REQUEST, response, serveOnce, fetchOnce, type ExchangeOptions } from './exchange.js';
export { dropFirst, isSyn, isSynAck, isPureAck, hasData } from './filters.js';
