// The page bundles SimNetwork, which imports RealClock for Node programs; the page never constructs
// it (its clock is the StepClock). RealClock names Node's timer API, so these declarations let the
// page type-check against the DOM alone. If a RealClock were ever made in the page it would fail
// loudly on the missing setImmediate, not silently.
declare function setImmediate(cb: () => void): { unref(): void };
declare function clearImmediate(handle: { unref(): void }): void;
interface Number {
  /** Node's Timeout.unref(), as seen through the DOM's numeric timer ids (never called here). */
  unref(): void;
}
