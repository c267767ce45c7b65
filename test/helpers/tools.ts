// Oracles that need a tool (strace, gcc, libseccomp): a test may skip where
// the tool is missing, but not in CI, where .ci/run installs every one and
// sets SYSTAB_REQUIRE_TOOLS=1: there a missing tool fails the test file.
export function toolsOr(present: boolean, what: string): boolean {
  if (!present && process.env.SYSTAB_REQUIRE_TOOLS === '1') throw new Error(`${what} is missing, and SYSTAB_REQUIRE_TOOLS=1 (CI) needs it: install it (see .ci/run)`);
  return present;
}
