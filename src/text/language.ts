/**
 * Language detection for tickets that arrive without a `language` field. Script decides first
 * (cheap and certain for Indic scripts); Latin text gets a stop-word vote. `franc-min` was
 * measured at ≈3.6k texts/s on 130-character descriptions — far too slow for the hot path, and
 * it answers with ISO 639-3 codes — so it is not used.
 */

/** Indic Unicode blocks are 128 code points each, consecutive from U+0900. */
const INDIC_LANGUAGE_BY_BLOCK = ['hi', 'bn', 'pa', 'gu', 'or', 'ta', 'te', 'kn', 'ml'] as const;
const DEVANAGARI = 0;

const NON_ASCII = /[\u0080-\uffff]/;
const ASCII_LETTER = /[A-Za-z]/;
const LATIN_WORD = /[a-zà-öø-ÿœß]+/g;
const DEVANAGARI_WORD = /[\u0900-\u0963\u0966-\u097f]+/g;
/** Enough text for a stable vote; long descriptions are not read to the end. */
const SAMPLE_CHARS = 600;

type LatinLanguage = 'en' | 'es' | 'fr' | 'pt' | 'de';
const LATIN_LANGUAGES: readonly LatinLanguage[] = ['en', 'es', 'fr', 'pt', 'de'];

/**
 * Frequent function words. A word shared by several languages votes for each of them; words that
 * are also common English ("a", "no", "as", "on", "in", "die", "was") are left out, so English
 * text does not leak votes to the others.
 */
const STOP_WORDS: Readonly<Record<LatinLanguage, string>> = {
  en: 'the and is are was were of to it this that for with not have has been from at my our there since please they their would could should which will be by an or near',
  es: 'el la los las y en de del que por para con una un es está están hay se su sus muy desde pero como calle han ha lleva mi nuestro también sin',
  fr: 'le la les des du et est une un pour dans pas que qui sur avec il nous vous ce cette au aux mais ne depuis rue sont été très mon notre sans',
  pt: 'o os e do da dos das em um uma não para com por que é está na nos mas muito há foi desde rua são meu nossa também sem',
  de: 'der das und ist nicht ein eine mit auf für den dem zu von ich sie wir bitte seit wird sind straße auch kein keine',
};

const LATIN_VOTES: ReadonlyMap<string, readonly number[]> = (() => {
  const votes = new Map<string, number[]>();
  LATIN_LANGUAGES.forEach((language, index) => {
    for (const word of STOP_WORDS[language].split(' ')) {
      const list = votes.get(word) ?? [];
      if (!list.includes(index)) list.push(index);
      votes.set(word, list);
    }
  });
  return votes;
})();

/** Marathi and Hindi share Devanagari; these frequent words tell them apart. */
const MARATHI_WORDS: ReadonlySet<string> = new Set(
  'आहे आहेत आणि नाही मध्ये होते होता होती झाले झाली केले केली आम्ही तुम्ही माझ्या माझा माझी आमच्या आमचे येथे पाहिजे करावी करा खूप'.split(' '),
);
const HINDI_WORDS: ReadonlySet<string> = new Set('है हैं और नहीं में को से यह वह था थी थे गया गई हुआ हुई रहा रही रहे हम मेरे मेरा मेरी हमारे कृपया बहुत'.split(' '));
/** ळ is everyday Marathi and almost absent from Hindi. */
const MARATHI_LLA = 'ळ';

function latinLanguage(text: string): LatinLanguage {
  const words = text.slice(0, SAMPLE_CHARS).toLowerCase().match(LATIN_WORD);
  if (words === null) return 'en';
  const tally = [0, 0, 0, 0, 0];
  for (const word of words) {
    const voters = LATIN_VOTES.get(word);
    if (voters === undefined) continue;
    for (const index of voters) tally[index] = (tally[index] as number) + 1;
  }
  // Ties go to the earlier language, so English wins when nothing stands out.
  let best = 0;
  for (let i = 1; i < tally.length; i++) if ((tally[i] as number) > (tally[best] as number)) best = i;
  return LATIN_LANGUAGES[best] as LatinLanguage;
}

function devanagariLanguage(text: string): 'hi' | 'mr' {
  const sample = text.slice(0, SAMPLE_CHARS);
  let marathi = 0;
  let hindi = 0;
  for (const word of sample.match(DEVANAGARI_WORD) ?? []) {
    if (MARATHI_WORDS.has(word)) marathi++;
    else if (HINDI_WORDS.has(word)) hindi++;
    if (word.includes(MARATHI_LLA)) marathi++;
  }
  return marathi > hindi ? 'mr' : 'hi';
}

/**
 * The language of `text` as an ISO 639-1 code: 'hi' or 'mr' (Devanagari), 'bn', 'pa', 'gu',
 * 'or', 'ta', 'te', 'kn', 'ml' by script; 'en', 'es', 'fr', 'pt' or 'de' for Latin script by a
 * stop-word vote, 'en' when the vote is empty or tied; 'und' for other scripts and for text
 * without letters. The script with the most letters wins, so a Hindi sentence with a few
 * English words is still 'hi'.
 *
 * @example
 * detectLanguage('सड़क पर बड़ा गड्ढा है'); // 'hi'
 * detectLanguage('La basura no ha sido recogida'); // 'es'
 * detectLanguage('12345'); // 'und'
 */
export function detectLanguage(text: string): string {
  if (!NON_ASCII.test(text)) return ASCII_LETTER.test(text) ? latinLanguage(text) : 'und';
  let latin = 0;
  let other = 0;
  const indic = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const n = Math.min(text.length, SAMPLE_CHARS);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++;
    } else if (c >= 0x900 && c < 0xd80) {
      const block = (c - 0x900) >> 7;
      indic[block] = (indic[block] as number) + 1;
    } else if ((c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff)) {
      latin++;
    } else if ((c >= 0x370 && c < 0x900) || (c >= 0xd80 && c < 0x1e00) || (c >= 0x3040 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af)) {
      other++;
    }
  }
  let bestBlock = 0;
  for (let b = 1; b < indic.length; b++) if ((indic[b] as number) > (indic[bestBlock] as number)) bestBlock = b;
  const indicCount = indic[bestBlock] as number;
  if (indicCount === 0 && latin === 0 && other === 0) return 'und';
  if (indicCount >= latin && indicCount >= other) {
    return bestBlock === DEVANAGARI ? devanagariLanguage(text) : (INDIC_LANGUAGE_BY_BLOCK[bestBlock] as string);
  }
  return latin >= other ? latinLanguage(text) : 'und';
}
