import type { RunProgress } from '../runtime/runner.js';

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/**
 * A progress line on stderr: rewritten in place on a terminal, one line every 5 s otherwise
 * (so CI logs stay readable). Silent when `enabled` is false.
 */
export function progressPrinter(label: string, enabled: boolean): { update(p: RunProgress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let lastPrint = 0;
  let printed = false;
  return {
    update(p) {
      if (!enabled) return;
      const now = Date.now();
      if (!tty && now - lastPrint < 5000) return;
      lastPrint = now;
      const rate = p.elapsedMs > 0 ? (p.received / p.elapsedMs) * 1000 : 0;
      const pct = p.source?.total !== undefined && p.source.total > 0 ? ` ${Math.min(100, (p.source.done / p.source.total) * 100).toFixed(0)}%` : '';
      const line = `${label}:${pct} ${formatCount(p.received)} received, ${formatCount(p.committed)} committed, ${formatCount(p.errored)} errors, ${formatCount(Math.round(rate))}/s`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else process.stderr.write(`${line}\n`);
      printed = true;
    },
    done() {
      if (enabled && tty && printed) process.stderr.write('\r\x1b[K');
    },
  };
}

export { formatCount };
