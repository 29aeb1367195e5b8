// KafkaJS 2.2.4 schedules its throttle check with a negative delay when nothing is pending
// (requestQueue.scheduleCheckPendingRequests); Node 24 clamps it to 1 ms and prints a
// TimeoutNegativeWarning each time. The behaviour is right, the warning is noise, so only that one is dropped.
const original = process.emitWarning.bind(process);
let installed = false;

export function silenceKafkaJsTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const name = typeof warning === 'string' ? (typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type) : warning.name;
    if (name === 'TimeoutNegativeWarning') return;
    return (original as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
