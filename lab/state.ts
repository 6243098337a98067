// What a lab daemon writes to DIR/state.json once it serves (read by lab:up, lab:status and lab:down): the lab's
// addresses and files, plus the daemon's pid.
import type { Lab } from './lab.js';

export type LabState = Pick<Lab, 'url' | 'port' | 'dir' | 'kubeconfigPath' | 'configPath' | 'env'> & { pid: number };
