// CPU time a process has used (user + system), read from /proc where there
// is one: on a shared machine a process's CPU time moves far less than the
// wall clock when another job takes the other core.
import { readFileSync } from 'node:fs';

/** Milliseconds of CPU `pid` has used so far, or null where /proc cannot tell. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
