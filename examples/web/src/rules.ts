// Seccomp rules of the page's own, compiled to a classic BPF program for
// systab/seccomp's filterTable (an OCI-profile loader is not on main yet):
//   CALL:ERRNO            CALL answers -ERRNO
//   CALL:ERRNO:aN&MASK    only when argument N (0-5) has a bit of MASK set
// comma-separated, e.g. "getpid:EPERM,openat:EACCES:a2&3".
import { SystabError, type Abi } from 'systab';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, seccompArchs, type SockFilter } from 'systab/seccomp';

export interface Rule {
  nr: number;
  errno: number;
  arg?: { index: number; mask: number };
}

const LD_W_ABS = 0x20, JEQ_K = 0x15, JSET_K = 0x45, RET_K = 0x06;
const at = (code: number, k: number, jt = 0, jf = 0): SockFilter => ({ code, jt, jf, k });

export function parseRules(text: string, abi: Abi): Rule[] {
  const rules: Rule[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):([A-Za-z0-9_]+)(?::a([0-5])&(0x[0-9a-fA-F]+|[0-9]+))?$/.exec(item);
    if (!m) throw new SystabError('EBADSPEC', `seccomp rule "${item}" is not CALL:ERRNO or CALL:ERRNO:aN&MASK (e.g. getpid:EPERM, openat:EACCES:a2&3)`);
    const nr = abi.names[m[1]!];
    if (nr === undefined) throw new SystabError('ENONAME', `seccomp rule "${item}": ${abi.id} has no call "${m[1]}"`);
    const errno = /^[0-9]+$/.test(m[2]!) ? Number(m[2]) : abi.errno[m[2]!] ?? abi.errno[m[2]!.toUpperCase()] ?? abi.errno[m[2]!.toLowerCase()];
    if (errno === undefined || errno < 1 || errno > 4095) throw new SystabError('EBADSPEC', `seccomp rule "${item}": "${m[2]}" is not an errno of ${abi.id} (a name like ${abi.convention === 'negative' ? 'EPERM' : 'perm'}, or 1-4095)`);
    rules.push({ nr, errno, ...(m[3] !== undefined ? { arg: { index: Number(m[3]), mask: Number(m[4]) >>> 0 } } : {}) });
  }
  if (rules.length === 0) throw new SystabError('EBADSPEC', 'no seccomp rules given (e.g. getpid:EPERM)');
  return rules;
}

/** The program: another arch is killed (as filters written for one arch do); each rule's call answers its errno; the rest is allowed. */
export function compileRules(rules: readonly Rule[], abi: Abi): SockFilter[] {
  const arch = seccompArchs[abi.id];
  if (!arch) throw new SystabError('EBADSPEC', `systab/seccomp has no arch for ${abi.id}`);
  const p: SockFilter[] = [at(LD_W_ABS, 4), at(JEQ_K, arch.arch >>> 0, 1, 0), at(RET_K, SECCOMP_RET_KILL_PROCESS >>> 0)];
  const lowHalf = arch.bigEndian ? 4 : 0;
  for (const r of rules) {
    const ret = at(RET_K, (SECCOMP_RET_ERRNO | r.errno) >>> 0);
    if (r.arg === undefined) p.push(at(LD_W_ABS, 0), at(JEQ_K, r.nr, 0, 1), ret);
    else p.push(at(LD_W_ABS, 0), at(JEQ_K, r.nr, 0, 3), at(LD_W_ABS, 16 + 8 * r.arg.index + lowHalf), at(JSET_K, r.arg.mask, 0, 1), ret);
  }
  p.push(at(RET_K, SECCOMP_RET_ALLOW >>> 0));
  return p;
}

/** The page's first set: allow everything (so the worker can join the filters before any rule exists). */
export const allowAll: SockFilter[] = [at(RET_K, SECCOMP_RET_ALLOW >>> 0)];
