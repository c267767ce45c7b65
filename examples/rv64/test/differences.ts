// Where the emulator's call sequence may differ from `qemu-riscv64 -strace`,
// and why. The tests apply exactly these rules; README.md lists them too.

export interface StraceDifference {
  id: string;
  why: string;
  /** Drops qemu entries (call numbers) the emulator's trace cannot show. */
  dropFromQemu: (nr: number, name: string | undefined) => boolean;
}

/**
 * Empty: the emulator's trace shows every call qemu shows, in the same order.
 * (Numbers nobody implements, and numbers outside the ABI's range such as
 * syscall(1999), skip systab's enter/exit hooks; --trace catches them with
 * the missing-call policy instead, so they appear too, as `syscall_0x7cf`.)
 * Differences in arguments and results are not compared; README.md lists the
 * known ones.
 */
export const DOCUMENTED_DIFFERENCES: StraceDifference[] = [];
