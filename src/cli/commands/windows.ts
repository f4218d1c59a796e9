import type { Command } from 'commander';
import { LineReader } from '../../connectors/files/line-reader.js';
import { parseWindowsToolOptions, runWindowsTool } from '../../time/windows-tool.js';

async function* stdinLines(): AsyncGenerator<string> {
  const reader = new LineReader(process.stdin);
  for (let lines = await reader.read(1000); lines.length > 0; lines = await reader.read(1000)) yield* lines;
}

export function registerWindows(program: Command): void {
  program
    .command('windows')
    .description('a black-box window/trigger simulator: elements, watermarks and processing time on stdin, one pane per line on stdout')
    .requiredOption('--window <spec>', 'fixed:SIZE[,OFFSET] | sliding:SIZE,PERIOD | session:GAP')
    .option('--early-count <n>', 'early (speculative) pane every N elements')
    .option('--early-every <duration>', 'early pane every D of processing time after the first element')
    .option('--late-count <n>', 'late pane every N late elements', '1')
    .option('--lateness <duration>', 'allowed lateness after the watermark passes the window end', '0')
    .option('--mode <mode>', 'accumulating (panes carry everything so far) or discarding', 'accumulating')
    .option('--agg <agg>', 'collect | count | sum', 'collect')
    .addHelpText(
      'after',
      `
Durations and times are integers in milliseconds unless suffixed (s, m, h, d). Windows are [start, end).

Input, one step per line (triggers are evaluated after each step):
  {"key":"k","ts":1000,"value":"a"}      an element (key optional)
  [{…},{…}]                              a bundle of elements
  {"watermark":T}                        the input watermark advances to T
  {"processing_time":T}                  processing time advances to T
End of input advances the watermark past every window.

Output, one JSON line per pane:
  {"key":"k","start":0,"end":10000,"timing":"EARLY","values":["a","b"]}
and for an element later than the allowed lateness:
  {"dropped":{…the element…},"reason":"late_event"}

Example:
  $ printf '%s\\n' '{"ts":1,"value":"a"}' '{"ts":4,"value":"b"}' '{"watermark":20}' | sluice windows --window fixed:10`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const options = parseWindowsToolOptions(flags);
      let buffer = '';
      await runWindowsTool(stdinLines(), options, (line) => {
        buffer += `${line}\n`;
        if (buffer.length > 65536) {
          process.stdout.write(buffer);
          buffer = '';
        }
      });
      process.stdout.write(buffer);
    });
}
