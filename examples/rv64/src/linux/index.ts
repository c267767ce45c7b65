// Every Linux module the emulator loads, in load order.
import { epollModule, epollWaitModule } from './epoll.js';
import { dirsModule } from './dirs.js';
import { filesModule } from './files.js';
import { ioModule } from './io.js';
import { miscModule } from './misc.js';
import { mmModule } from './mm.js';
import type { LinuxModule, Process } from './process.js';
import { procModule } from './proc.js';
import { withProcessLocal } from './proc-local.js';
import type { ThreadContext } from './thread.js';
import { threadModule } from './threads.js';
import { timeModule } from './time.js';

/** The modules each guest thread runs itself: the leader loads them, every other thread provide()s its own. */
export function threadLocalModules(ctx: ThreadContext): LinuxModule[] {
  return withProcessLocal(ctx, [threadModule(ctx), timeModule(ctx), epollWaitModule(ctx)]);
}

export function linuxModules(p: Process): LinuxModule[] {
  return [ioModule(p), filesModule(p), dirsModule(p), mmModule(p), procModule(p), miscModule(p), ...threadLocalModules(p.thread), epollModule(p)];
}
