// How strace reads the argument of `-e`: an optional qualifier and `=`,
// then its value; with no qualifier it is `trace` (strace's qualify() and
// qual_options in filter_qualify.c). For a command line that takes strace's
// options: it says which parser a value goes to.

/** strace's -e qualifiers, each name or alias -> the qualifier it means, in strace's order. */
const QUALIFIERS: readonly (readonly [string, string])[] = [
  ['trace', 'trace'], ['t', 'trace'], ['trace-fd', 'trace-fd'], ['trace-fds', 'trace-fd'], ['fd', 'trace-fd'], ['fds', 'trace-fd'],
  ['abbrev', 'abbrev'], ['a', 'abbrev'], ['verbose', 'verbose'], ['v', 'verbose'], ['raw', 'raw'], ['x', 'raw'],
  ['signal', 'signal'], ['signals', 'signal'], ['s', 'signal'], ['status', 'status'],
  ['quiet', 'quiet'], ['silent', 'quiet'], ['silence', 'quiet'], ['q', 'quiet'],
  ['read', 'read'], ['reads', 'read'], ['r', 'read'], ['write', 'write'], ['writes', 'write'], ['w', 'write'],
  ['fault', 'fault'], ['inject', 'inject'], ['kvm', 'kvm'], ['decode-fd', 'decode-fd'], ['decode-fds', 'decode-fd'],
  ['decode-pid', 'decode-pid'], ['decode-pids', 'decode-pid'], ['secontext', 'secontext'], ['namespace', 'namespace'],
];

/** One `-e` argument: the qualifier it names (canonical: 't' is 'trace') and the value that qualifier parses. */
export interface Qualified {
  readonly qualifier: string;
  readonly value: string;
}

/**
 * The qualifier and value of one `-e` argument as strace splits it: a
 * known qualifier name or alias followed by `=` is stripped once; anything
 * else is all value, for `trace` (`-e open` is `-e trace=open`,
 * `-e foo=bar` is `trace` of the call "foo=bar", an error there). A later
 * `-e trace=` replaces an earlier one, in strace: the caller keeps the last.
 */
export function splitQualifier(arg: string): Qualified {
  for (const [name, qualifier] of QUALIFIERS) {
    if (arg.startsWith(`${name}=`)) return { qualifier, value: arg.slice(name.length + 1) };
  }
  return { qualifier: 'trace', value: arg };
}
