import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker script `name` that sits beside the module at `siblingOf` (an
 * `import.meta.url`). Built, that is `name.js`. From source (under tsx, as the tests and
 * benchmarks run) it is `name.ts`, and a worker thread does not inherit the parent's
 * `--import tsx` loader hooks, so a two-line bootstrap registers tsx first.
 */
export function spawnThread(siblingOf: string, name: string, options: WorkerOptions): Worker {
  if (!siblingOf.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, siblingOf), options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = new URL(`./${name}.ts`, siblingOf).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); });`, { ...options, eval: true });
}
