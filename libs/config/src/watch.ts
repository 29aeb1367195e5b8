// Reloads the topology without a restart, on a file change or SIGHUP. A new version is validated first: a bad one
// is reported (path and problem) and the running one stays.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, basename } from 'node:path';
import { loadTopology, ConfigError, type Topology } from './load.ts';

export interface TopologyWatcher {
  current(): Topology;
  /** Re-reads the file now; resolves to the outcome. */
  reload(): { ok: true; topology: Topology } | { ok: false; error: ConfigError };
  close(): void;
}

export function watchTopology(
  file: string,
  handlers: { onChange: (t: Topology, previous: Topology) => void; onRejected: (e: ConfigError) => void },
  opts: { env?: NodeJS.ProcessEnv; debounceMs?: number; signal?: NodeJS.Signals | null } = {},
): TopologyWatcher {
  let current = loadTopology(file, opts.env);
  let timer: NodeJS.Timeout | undefined;
  let lastText = JSON.stringify(current);
  const reload = (): ReturnType<TopologyWatcher['reload']> => {
    try {
      const next = loadTopology(file, opts.env);
      const text = JSON.stringify(next);
      if (text !== lastText) {
        const previous = current;
        current = next;
        lastText = text;
        handlers.onChange(next, previous);
      }
      return { ok: true, topology: current };
    } catch (e) {
      const err = e instanceof ConfigError ? e : new ConfigError(file, [{ path: '', message: (e as Error).message }]);
      handlers.onRejected(err);
      return { ok: false, error: err };
    }
  };
  // Editors replace files by rename: watch the folder, filter by name.
  const watcher: FSWatcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(reload, opts.debounceMs ?? 200);
  });
  const signal = opts.signal === undefined ? 'SIGHUP' : opts.signal;
  const onSignal = () => void reload();
  if (signal) process.on(signal, onSignal);
  return {
    current: () => current,
    reload,
    close() {
      clearTimeout(timer);
      watcher.close();
      if (signal) process.off(signal, onSignal);
    },
  };
}
