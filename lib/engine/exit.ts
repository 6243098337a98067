// One table of exit codes, used everywhere (ARCHITECTURE.md "Exit codes").
export const EXIT = {
  ok: 0,          // done, or nothing to do
  failed: 1,      // a step or a postflight check failed
  usage: 2,       // bad input or config; nothing ran
  refused: 3,     // a preflight check or the confirmation refused
  locked: 4,      // another run holds the cluster lock
  interrupted: 130, // Ctrl-C; undo ran
} as const;
