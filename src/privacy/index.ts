/**
 * Privacy: keyed hashing of PII fields, DLP detectors over free text, and the checksum
 * functions behind them.
 *
 * @example
 * import { dlpScanAndMask, piiHasherFromEnv } from './privacy/index.js';
 */
export {
  ibanCheckDigits,
  ibanLength,
  ibanValid,
  luhnCheckDigit,
  luhnValid,
  nhsCheckDigit,
  nhsValid,
  verhoeffCheckDigit,
  verhoeffValid,
} from './checksums.js';
export {
  createDlpScanner,
  type DlpMaskResult,
  type DlpScanner,
  type DlpScanOptions,
  dlpScan,
  dlpScanAndMask,
  maskFindings,
} from './dlp.js';
export {
  createPiiHasher,
  DEMO_PII_KEY,
  hashPiiFields,
  MissingPiiKeyError,
  type PiiHasher,
  type PiiHasherOptions,
  type PiiHashMode,
  piiHasherFromEnv,
} from './hash-pii.js';
export { type DlpFinding, INFO_TYPES, type InfoType, isInfoType } from './info-types.js';
export { createPayloadRedactor, type PayloadRedactorOptions } from './redact-payload.js';
