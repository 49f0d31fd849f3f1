// What jsdom leaves out because it lays nothing out, and libraries call all the same: ResizeObserver (cmdk's
// list, react-resizable-panels' groups) and scrollIntoView (cmdk's chosen item). No-ops: a unit test of a view
// asserts on what it renders and sends, never on sizes; the e2e suite checks layout in Chromium.
export function installLayoutStubs(): void {
  Element.prototype.scrollIntoView ??= () => undefined;
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}
