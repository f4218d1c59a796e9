import type { Command } from 'commander';
import type { OutgoingMessage } from '../../core/bus.js';
import { LineReader } from '../../connectors/files/line-reader.js';
import { openInput } from '../../connectors/files/open-input.js';
import { contentId } from '../../runtime/runner.js';
import { type GlobalOptions, busUrl } from '../context.js';
import { openBus } from '../connect.js';
import { formatCount } from '../progress.js';

/** The id a published line gets: a field's value (the natural key) or a hash of the line. */
export function messageIdFor(line: string, idField: string | undefined): string {
  if (idField !== undefined) {
    try {
      const value = (JSON.parse(line) as Record<string, unknown>)[idField];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    } catch {
      // Not JSON: fall back to the content hash; the pipeline will record it as an error row.
    }
  }
  return contentId(line);
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('publish lines (one message each) from stdin or a file to a topic on the bus')
    .argument('<topic>', 'topic name, e.g. tickets.new')
    .argument('[file]', 'a JSONL file (plain or .gz); default stdin', '-')
    .option('--id-field <field>', 'use this JSON field as the message id (deduplication key) instead of a content hash')
    .option('--batch <n>', 'messages per bus write', (v) => Number.parseInt(v, 10), 5000)
    .addHelpText(
      'after',
      `
Each line becomes one message. The bus keeps a message with an id it has recently seen only once,
so publishing the same file twice does not duplicate it.

Examples:
  $ sluice generate municipal-tickets --count 10k | sluice publish tickets.new
  $ sluice publish tickets.new tickets.jsonl --id-field ticket_id`,
    )
    .action(async (topic: string, file: string, flags: { idField?: string; batch: number }, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      const bus = await openBus(busUrl(global));
      const input = openInput(file);
      const reader = new LineReader(input.stream);
      let published = 0;
      let duplicates = 0;
      let lastReport = Date.now();
      try {
        for (;;) {
          const lines = await reader.read(flags.batch);
          if (lines.length === 0) break;
          const messages: OutgoingMessage[] = lines.map((line) => ({ id: messageIdFor(line, flags.idField), payload: line }));
          const result = await bus.publish(topic, messages);
          published += result.published;
          duplicates += result.duplicates;
          if (global.quiet !== true && Date.now() - lastReport > 2000) {
            lastReport = Date.now();
            process.stderr.write(`publish ${topic}: ${formatCount(published)} published\n`);
          }
        }
      } finally {
        await bus.close();
      }
      process.stdout.write(`${topic}: ${published.toLocaleString('en-US')} published, ${duplicates.toLocaleString('en-US')} duplicates ignored (${bus.location})\n`);
    });
}
