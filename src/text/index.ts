/**
 * Text: cleaning, sentiment and language detection for free-text fields.
 *
 * @example
 * import { cleanText, detectLanguage, sentimentScore } from './text/index.js';
 */
export { cleanText } from './clean-text.js';
export { detectLanguage } from './language.js';
export { type SentimentDetails, sentimentDetails, sentimentScore } from './sentiment.js';
