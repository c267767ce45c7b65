// Table members that only systab's own modules use (declared @internal, so
// absent from the .d.ts): the build gives them short names, in dist/ and in
// the size check alike. Names the core exports (quiesce, ...) or that other
// objects have (map, at) must not be listed: every property of that name in
// the bundle is renamed.
export const mangleProps = /^(hot[A-Z]\w*|core|i32|me|local|limbo|f64|wakeAt|proxyTimeout|provided|depth|closed|localFn|prepare|forget|serve|remote|miss|slow|idlePoll)$/;
