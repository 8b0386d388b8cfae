/** The apps `synack serve --app NAME` knows, by name. `http` needs the net/ layer and loads on demand. */
import type { RawApp } from './app.js';
import { echoApp } from './echo.js';
import { discardApp } from './discard.js';
import { chargenApp } from './chargen.js';
import { holdApp } from './hold.js';
import { closeApp } from './close.js';
import { shutwrApp } from './shutwr.js';
import { abortApp } from './abort.js';

export const RAW_APPS: Readonly<Record<string, RawApp>> = {
  echo: echoApp,
  discard: discardApp,
  chargen: chargenApp,
  hold: holdApp,
  close: closeApp,
  shutwr: shutwrApp,
  abort: abortApp,
};

export const APP_NAMES = [...Object.keys(RAW_APPS), 'http'] as const;
