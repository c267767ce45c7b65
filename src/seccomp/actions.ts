// seccomp's return values (include/uapi/linux/seccomp.h), verbatim: an action
// in the high 16 bits (SECCOMP_RET_ACTION_FULL), data in the low 16. The
// kernel compares actions as signed 32-bit words, lowest first:
// KILL_PROCESS < KILL_THREAD < TRAP < ERRNO < USER_NOTIF < TRACE < LOG < ALLOW.
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_KILL = SECCOMP_RET_KILL_THREAD;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_ACTION = 0x7fff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;
/** ERRNO's data is capped at it (include/linux/err.h MAX_ERRNO). */
export const MAX_ERRNO = 4095;

/** An action's place in the kernel's order (lower wins): its high half as a signed word. */
export function actionRank(ret: number): number {
  return (ret & SECCOMP_RET_ACTION_FULL) | 0;
}
