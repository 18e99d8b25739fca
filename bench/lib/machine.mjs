// One line naming the machine a run was measured on.
import os from 'node:os';

export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu.trim()}, ${os.availableParallelism?.() ?? os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`;
}
