// Every Linux module the emulator loads, in load order.
import { dirsModule } from './dirs.js';
import { filesModule } from './files.js';
import { ioModule } from './io.js';
import { miscModule } from './misc.js';
import { mmModule } from './mm.js';
import type { LinuxModule, Process } from './process.js';
import { procModule } from './proc.js';

export function linuxModules(p: Process): LinuxModule[] {
  return [ioModule(p), filesModule(p), dirsModule(p), mmModule(p), procModule(p), miscModule(p)];
}
