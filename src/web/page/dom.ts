/** Small DOM helpers for the page (no framework: the page is a few panels redrawn on change). */

const SVG_NS = 'http://www.w3.org/2000/svg';

export type Attrs = Record<string, string | number | boolean | undefined>;

function setAttrs(e: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  for (const c of children) if (c !== undefined) e.append(c);
  return e;
}

/** An SVG element with attributes and children. */
export function s(
  tag: string,
  attrs: Attrs = {},
  ...children: (Node | string | undefined)[]
): SVGElement {
  const e = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(e, attrs);
  for (const c of children) if (c !== undefined) e.append(c);
  return e;
}

/** The element with this id, typed; throws when the page's HTML lacks it (a build mistake). */
export function byId<T extends HTMLElement>(id: string, type: { new (): T }): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`page: #${id} missing or not a ${type.name}`);
  return e;
}

/** Offers bytes as a file download (no network: a blob: URL). */
export function download(name: string, data: Uint8Array | string, type: string): void {
  const part: BlobPart = typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Milliseconds as seconds with three decimals: "1.250 s". */
export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
