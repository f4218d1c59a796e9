import type { Command } from 'commander';
import { LineReader } from '../../connectors/files/line-reader.js';
import { dlpScan, maskFindings } from '../../privacy/dlp.js';

export function registerDlp(program: Command): void {
  program
    .command('dlp')
    .description('scan text lines from stdin for personal data; print one JSON line of findings per input line')
    .option('--mask', 'also print the line with each finding replaced by [TYPE]')
    .addHelpText(
      'after',
      `
Output per input line: {"findings":[{"type":"EMAIL_ADDRESS","start":8,"end":25}]}
(start/end are UTF-16 offsets, end exclusive). Info types: EMAIL_ADDRESS, PHONE_NUMBER,
CREDIT_CARD_NUMBER (Luhn), IBAN_CODE (mod-97), IP_ADDRESS (v4/v6), INDIA_AADHAAR (Verhoeff),
INDIA_PAN, US_SOCIAL_SECURITY_NUMBER, UK_NHS_NUMBER (mod 11), UK_NATIONAL_INSURANCE_NUMBER.

Example:
  $ echo "mail me at a.b@example.com or call +91 98450 12345" | sluice dlp`,
    )
    .action(async (flags: { mask?: boolean }) => {
      // Empty lines are lines too: every input line gets exactly one output line.
      const reader = new LineReader(process.stdin, { keepEmpty: true });
      let out = '';
      for (;;) {
        const lines = await readAllLines(reader);
        if (lines === null) break;
        for (const line of lines) {
          const findings = dlpScan(line);
          const record: Record<string, unknown> = { findings: findings.map((f) => ({ type: f.type, start: f.start, end: f.end })) };
          if (flags.mask === true) record.masked = maskFindings(line, findings);
          out += `${JSON.stringify(record)}\n`;
        }
        if (out.length > 65536) {
          process.stdout.write(out);
          out = '';
        }
      }
      process.stdout.write(out);
    });
}

async function readAllLines(reader: LineReader): Promise<string[] | null> {
  const lines = await reader.read(1000);
  return lines.length === 0 ? null : lines;
}
