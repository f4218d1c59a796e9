/**
 * DLP throughput on ~150-character ticket descriptions, one in four carrying personal data.
 * Not a test: run `node --import tsx src/privacy/dlp.bench.ts [seconds]`. Prints a human line,
 * then a JSON line (texts/s, findings/s) for the benchmark harness.
 */
import { createDlpScanner } from './dlp.js';

const plain = [
  'Garbage has not been collected in ward 12 since 2024-01-15. The smell near the market is unbearable and stray dogs are tearing the bags apart.',
  'Street light on 5th Cross, 2nd Main has been off for 3 weeks. Area is unsafe after 7 pm, women and children avoid the road. Please fix.',
  'Water supply interrupted since Monday 06:30; tanker charged Rs. 1500 for 2000 litres. Residents of block C are buying bottled water.',
  'Pothole near bus stop no. 14 on MG Road, about 2 ft wide and 8 in deep. Two scooters fell on 15/01/2024. Order ref ORD-2024-000123.',
  'मेरे घर के सामने सड़क पर बड़ा गड्ढा है, पिछले 10 दिनों से कोई मरम्मत नहीं हुई। कृपया जल्दी ठीक करें, बच्चे स्कूल जाते समय गिर जाते हैं।',
  'ನಮ್ಮ ಬಡಾವಣೆಯಲ್ಲಿ ಕಸ ಸಂಗ್ರಹಣೆ ಕಳೆದ ಒಂದು ವಾರದಿಂದ ಆಗಿಲ್ಲ. ದಯವಿಟ್ಟು ತಕ್ಷಣ ಕ್ರಮ ಕೈಗೊಳ್ಳಿ, ರಸ್ತೆಯಲ್ಲಿ ದುರ್ವಾಸನೆ ಬರುತ್ತಿದೆ.',
  'La basura no ha sido recogida en la calle 7 desde hace dos semanas. El olor es terrible y hay ratas. Por favor envíen un camión pronto.',
  'Drain overflow at the junction of 100 Feet Road and 12th Main after last night rain, water entering 4 houses. Complaint 3rd time this month.',
];
const withPii = [
  'Please call me on 9876543210 after 6 pm, the broken water pipe near house 221 is flooding the lane and nobody from the office has come.',
  'Refund Rs. 450 charged twice to card 4111 1111 1111 1111 for the parking permit. Mail receipts to ravi.kumar@example.com, thank you.',
  'My Aadhaar 2341 2341 2346 was asked at the counter for a simple garbage complaint; is that required? Contact +91 98450 12345 please.',
  'Property tax paid twice from IBAN GB82 WEST 1234 5698 7654 32 on 2024-01-15, PAN AAAPL1234C. Please adjust the amount in next bill.',
  'Wifi kiosk at the park leaks user data, router at 192.168.10.1 exposed, v6 fe80::1 too. Reported by SSN 123-45-6789 holder, NHS 943 476 5919.',
];

// One in four descriptions carries PII, roughly what the generator plants.
const corpus: string[] = [];
for (let i = 0; i < 1000; i++) {
  corpus.push(i % 4 === 3 ? (withPii[i % withPii.length] as string) : (plain[i % plain.length] as string));
}

const seconds = Number(process.argv[2] ?? '3');
const scanner = createDlpScanner();
let findings = 0;
// Warm up so the JIT has compiled the scan before timing starts.
for (let r = 0; r < 200; r++) for (const text of corpus) findings += scanner.scan(text).length;

findings = 0;
let texts = 0;
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(seconds * 1e9));
let now = started;
while (now < deadline) {
  for (const text of corpus) findings += scanner.scan(text).length;
  texts += corpus.length;
  now = process.hrtime.bigint();
}
const elapsed = Number(now - started) / 1e9;
const result = {
  textsPerSecond: Math.round(texts / elapsed),
  findingsPerSecond: Math.round(findings / elapsed),
  meanChars: Math.round(corpus.reduce((n, t) => n + t.length, 0) / corpus.length),
};
process.stdout.write(
  `dlp scan: ${result.textsPerSecond.toLocaleString('en-US')} texts/s, ${result.findingsPerSecond.toLocaleString('en-US')} findings/s (mean ${result.meanChars} chars, 1 in 4 with PII)\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
