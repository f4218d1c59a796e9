import { type Random, WeightedChoices } from '../../../src/generate/random.js';
import type { SubcategoryId } from './catalog.js';
import { assertJsonSafe } from './ticket-json.js';

/**
 * Complaint text in the languages Bengaluru residents write in: English (most), Kannada, Hindi,
 * Tamil, and a little Spanish (expatriate residents). A description is assembled from an optional
 * opener carrying the sentiment, the issue, where and for how long, a closer, and sometimes
 * personal data the citizen typed in (planted by pii.ts). Place names stay in Latin script in every
 * language, as people type them on phones.
 *
 * No fragment contains a double quote, backslash or control character (checked at module load),
 * and neither do planted values or ward names, so descriptions go into JSON lines unescaped.
 */

export type Language = 'en' | 'hi' | 'kn' | 'ta' | 'es';
export type Sentiment = 'angry' | 'neutral' | 'polite' | 'thankful';

export const LANGUAGE_CHOICES = new WeightedChoices<Language>([
  ['en', 64],
  ['kn', 14],
  ['hi', 12],
  ['ta', 7],
  ['es', 3],
]);

export const SENTIMENT_CHOICES = new WeightedChoices<Sentiment>([
  ['angry', 30],
  ['neutral', 35],
  ['polite', 25],
  ['thankful', 10],
]);

type PerLanguage<T> = Readonly<Record<Language, T>>;

/** The issue, as a clause that follows place and duration. English has variants; others one each. */
const ISSUES: Readonly<Record<SubcategoryId, PerLanguage<readonly string[]>>> = {
  pothole: {
    en: ['there is a huge pothole in the middle of the road', 'deep potholes have opened up and two-wheelers keep skidding'],
    hi: ['सड़क के बीच में बड़ा गड्ढा है'],
    kn: ['ರಸ್ತೆಯ ಮಧ್ಯದಲ್ಲಿ ದೊಡ್ಡ ಗುಂಡಿ ಇದೆ'],
    ta: ['சாலையின் நடுவில் பெரிய குழி உள்ளது'],
    es: ['hay un bache enorme en medio de la calle'],
  },
  road_damage: {
    en: ['the road surface is completely broken', 'the newly laid road has caved in after the rain'],
    hi: ['सड़क पूरी तरह टूट चुकी है'],
    kn: ['ರಸ್ತೆ ಸಂಪೂರ್ಣವಾಗಿ ಹಾಳಾಗಿದೆ'],
    ta: ['சாலை முழுவதும் சேதமடைந்துள்ளது'],
    es: ['el asfalto está completamente destrozado'],
  },
  footpath_encroachment: {
    en: ['shops have encroached the footpath and people are forced to walk on the road', 'vendors and parked bikes block the entire footpath'],
    hi: ['दुकानदारों ने फुटपाथ पर कब्ज़ा कर लिया है'],
    kn: ['ಅಂಗಡಿಗಳು ಫುಟ್‌ಪಾತ್ ಒತ್ತುವರಿ ಮಾಡಿವೆ'],
    ta: ['கடைகள் நடைபாதையை ஆக்கிரமித்துள்ளன'],
    es: ['los comercios han invadido la acera'],
  },
  garbage_not_collected: {
    en: ['garbage has not been collected', 'the BBMP garbage van has not come to our street'],
    hi: ['कचरा नहीं उठाया गया है'],
    kn: ['ಕಸ ಸಂಗ್ರಹಿಸಲಾಗಿಲ್ಲ'],
    ta: ['குப்பை சேகரிக்கப்படவில்லை'],
    es: ['no han recogido la basura'],
  },
  garbage_burning: {
    en: ['someone is burning garbage in the open', 'waste is burnt every evening and the smoke is unbearable'],
    hi: ['खुले में कचरा जलाया जा रहा है'],
    kn: ['ಬಯಲಲ್ಲಿ ಕಸ ಸುಡಲಾಗುತ್ತಿದೆ'],
    ta: ['திறந்த வெளியில் குப்பை எரிக்கப்படுகிறது'],
    es: ['están quemando basura al aire libre'],
  },
  garbage_black_spot: {
    en: ['the corner has become a garbage black spot', 'people keep dumping waste on the empty plot'],
    hi: ['खाली प्लॉट पर लोग कचरा फेंक रहे हैं'],
    kn: ['ಖಾಲಿ ನಿವೇಶನದಲ್ಲಿ ಜನರು ಕಸ ಎಸೆಯುತ್ತಿದ್ದಾರೆ'],
    ta: ['காலி மனையில் மக்கள் குப்பை கொட்டுகிறார்கள்'],
    es: ['la gente tira basura en el solar vacío'],
  },
  water_no_supply: {
    en: ['there is no water supply', 'Cauvery water has not come at all'],
    hi: ['पानी की सप्लाई नहीं आ रही है'],
    kn: ['ನೀರು ಸರಬರಾಜು ಇಲ್ಲ'],
    ta: ['குடிநீர் விநியோகம் இல்லை'],
    es: ['no hay suministro de agua'],
  },
  water_leakage: {
    en: ['a water pipe is leaking and drinking water is wasted on the road', 'the BWSSB pipeline has burst'],
    hi: ['पानी की पाइपलाइन लीक हो रही है'],
    kn: ['ನೀರಿನ ಪೈಪ್ ಸೋರುತ್ತಿದೆ'],
    ta: ['தண்ணீர் குழாய் கசிகிறது'],
    es: ['una tubería de agua tiene una fuga'],
  },
  water_contamination: {
    en: ['tap water is muddy and smells of sewage', 'we are getting contaminated drinking water'],
    hi: ['नल का पानी गंदा और बदबूदार आ रहा है'],
    kn: ['ನಲ್ಲಿ ನೀರು ಕಲುಷಿತವಾಗಿದೆ ಮತ್ತು ದುರ್ವಾಸನೆ ಬರುತ್ತಿದೆ'],
    ta: ['குழாய் நீர் கலங்கலாகவும் துர்நாற்றத்துடனும் வருகிறது'],
    es: ['el agua del grifo sale turbia y huele a alcantarilla'],
  },
  streetlight_not_working: {
    en: ['the streetlights are not working and the road is dark at night', 'the street light is off and women feel unsafe walking home'],
    hi: ['स्ट्रीट लाइट काम नहीं कर रही है'],
    kn: ['ಬೀದಿ ದೀಪಗಳು ಕೆಲಸ ಮಾಡುತ್ತಿಲ್ಲ'],
    ta: ['தெரு விளக்குகள் எரியவில்லை'],
    es: ['las farolas no funcionan'],
  },
  streetlight_damaged_pole: {
    en: ['a streetlight pole is bent and about to fall', 'the lamp post is damaged with exposed wires'],
    hi: ['बिजली का खंभा टेढ़ा हो गया है और गिरने वाला है'],
    kn: ['ಬೀದಿ ದೀಪದ ಕಂಬ ಬಾಗಿದ್ದು ಬೀಳುವ ಸ್ಥಿತಿಯಲ್ಲಿದೆ'],
    ta: ['தெரு விளக்கு கம்பம் வளைந்து விழும் நிலையில் உள்ளது'],
    es: ['un poste de luz está doblado y a punto de caer'],
  },
  drain_blocked: {
    en: ['the storm water drain is blocked with silt and plastic', 'the drain is clogged and mosquitoes are breeding'],
    hi: ['नाली प्लास्टिक और कीचड़ से जाम है'],
    kn: ['ಚರಂಡಿ ಕಟ್ಟಿಕೊಂಡಿದೆ'],
    ta: ['வடிகால் அடைபட்டுள்ளது'],
    es: ['el desagüe está atascado de lodo y plástico'],
  },
  drain_overflow: {
    en: ['sewage is overflowing onto the road', 'the manhole is overflowing and the stench is terrible'],
    hi: ['सीवर का पानी सड़क पर बह रहा है'],
    kn: ['ಒಳಚರಂಡಿ ನೀರು ರಸ್ತೆಗೆ ಉಕ್ಕಿ ಹರಿಯುತ್ತಿದೆ'],
    ta: ['கழிவுநீர் சாலையில் பெருக்கெடுத்து ஓடுகிறது'],
    es: ['las aguas residuales se desbordan a la calle'],
  },
  tree_fallen: {
    en: ['a big tree has fallen and is blocking the road', 'a heavy branch fell on the footpath'],
    hi: ['एक बड़ा पेड़ गिर गया है और रास्ता बंद है'],
    kn: ['ದೊಡ್ಡ ಮರ ಬಿದ್ದು ರಸ್ತೆ ಮುಚ್ಚಿಹೋಗಿದೆ'],
    ta: ['பெரிய மரம் விழுந்து சாலை அடைபட்டுள்ளது'],
    es: ['un árbol grande se cayó y bloquea la calle'],
  },
  tree_pruning: {
    en: ['tree branches are touching the electric lines and need pruning', 'overgrown branches are hiding the streetlight'],
    hi: ['पेड़ की टहनियाँ बिजली के तारों को छू रही हैं'],
    kn: ['ಮರದ ಕೊಂಬೆಗಳು ವಿದ್ಯುತ್ ತಂತಿಗಳನ್ನು ತಾಗುತ್ತಿವೆ'],
    ta: ['மரக்கிளைகள் மின் கம்பிகளைத் தொடுகின்றன'],
    es: ['las ramas de los árboles tocan los cables eléctricos'],
  },
  stray_dogs: {
    en: ['a pack of stray dogs is chasing children and two-wheelers', 'stray dogs have bitten two people'],
    hi: ['आवारा कुत्तों का झुंड बच्चों के पीछे भागता है'],
    kn: ['ಬೀದಿ ನಾಯಿಗಳ ಹಿಂಡು ಮಕ್ಕಳನ್ನು ಅಟ್ಟಿಸಿಕೊಂಡು ಬರುತ್ತಿದೆ'],
    ta: ['தெரு நாய்கள் கூட்டம் குழந்தைகளைத் துரத்துகிறது'],
    es: ['una jauría de perros callejeros persigue a los niños'],
  },
  stray_cattle: {
    en: ['cattle are sitting in the middle of the road and causing traffic jams'],
    hi: ['सड़क के बीच में मवेशी बैठे रहते हैं'],
    kn: ['ರಸ್ತೆಯ ಮಧ್ಯದಲ್ಲಿ ದನಗಳು ಕುಳಿತಿರುತ್ತವೆ'],
    ta: ['சாலையின் நடுவில் மாடுகள் படுத்திருக்கின்றன'],
    es: ['hay vacas echadas en medio de la calle'],
  },
  noise_construction: {
    en: ['construction work goes on past midnight with loud drilling'],
    hi: ['आधी रात के बाद भी निर्माण कार्य का शोर हो रहा है'],
    kn: ['ಮಧ್ಯರಾತ್ರಿಯ ನಂತರವೂ ಕಟ್ಟಡ ಕಾಮಗಾರಿಯ ಗದ್ದಲ ನಡೆಯುತ್ತಿದೆ'],
    ta: ['நள்ளிரவுக்குப் பிறகும் கட்டுமானப் பணி சத்தம் கேட்கிறது'],
    es: ['las obras siguen pasada la medianoche con mucho ruido'],
  },
  noise_loudspeaker: {
    en: ['loudspeakers are played at full volume late at night'],
    hi: ['देर रात तक तेज़ आवाज़ में लाउडस्पीकर बजता है'],
    kn: ['ತಡರಾತ್ರಿಯವರೆಗೆ ಧ್ವನಿವರ್ಧಕಗಳನ್ನು ಜೋರಾಗಿ ಹಾಕಲಾಗುತ್ತಿದೆ'],
    ta: ['இரவு வெகுநேரம் வரை ஒலிபெருக்கி அதிக சத்தத்தில் ஒலிக்கிறது'],
    es: ['ponen altavoces a todo volumen hasta muy tarde'],
  },
  power_outage: {
    en: ['there is no power', 'we are facing repeated power cuts every day'],
    hi: ['बिजली नहीं है'],
    kn: ['ವಿದ್ಯುತ್ ಇಲ್ಲ'],
    ta: ['மின்சாரம் இல்லை'],
    es: ['no hay electricidad'],
  },
  hanging_wires: {
    en: ['electric wires are hanging dangerously low', 'a live wire is hanging near the school gate'],
    hi: ['बिजली के तार खतरनाक तरीके से नीचे लटक रहे हैं'],
    kn: ['ವಿದ್ಯುತ್ ತಂತಿಗಳು ಅಪಾಯಕಾರಿಯಾಗಿ ಕೆಳಗೆ ನೇತಾಡುತ್ತಿವೆ'],
    ta: ['மின் கம்பிகள் ஆபத்தான முறையில் தாழ்வாகத் தொங்குகின்றன'],
    es: ['hay cables eléctricos colgando peligrosamente bajos'],
  },
};

/** Landmarks, index-aligned across languages. */
const PLACES: PerLanguage<readonly string[]> = {
  en: [
    'near the bus stop',
    'opposite the temple',
    'next to the government school',
    'near the park gate',
    'at the main junction',
    'behind the vegetable market',
    'near the metro station',
    'in front of the hospital',
    'on 4th Cross Road',
    'near the water tank',
  ],
  hi: [
    'बस स्टॉप के पास',
    'मंदिर के सामने',
    'सरकारी स्कूल के बगल में',
    'पार्क के गेट के पास',
    'मुख्य चौराहे पर',
    'सब्ज़ी मंडी के पीछे',
    'मेट्रो स्टेशन के पास',
    'अस्पताल के सामने',
    'चौथे क्रॉस रोड पर',
    'पानी की टंकी के पास',
  ],
  kn: [
    'ಬಸ್ ನಿಲ್ದಾಣದ ಬಳಿ',
    'ದೇವಸ್ಥಾನದ ಎದುರು',
    'ಸರ್ಕಾರಿ ಶಾಲೆಯ ಪಕ್ಕದಲ್ಲಿ',
    'ಉದ್ಯಾನವನದ ಗೇಟ್ ಬಳಿ',
    'ಮುಖ್ಯ ವೃತ್ತದಲ್ಲಿ',
    'ತರಕಾರಿ ಮಾರುಕಟ್ಟೆಯ ಹಿಂದೆ',
    'ಮೆಟ್ರೋ ನಿಲ್ದಾಣದ ಬಳಿ',
    'ಆಸ್ಪತ್ರೆಯ ಎದುರು',
    '4ನೇ ಕ್ರಾಸ್ ರಸ್ತೆಯಲ್ಲಿ',
    'ನೀರಿನ ಟ್ಯಾಂಕ್ ಬಳಿ',
  ],
  ta: [
    'பேருந்து நிறுத்தம் அருகே',
    'கோவில் எதிரே',
    'அரசுப் பள்ளி பக்கத்தில்',
    'பூங்கா வாயில் அருகே',
    'முக்கிய சந்திப்பில்',
    'காய்கறி சந்தைக்கு பின்னால்',
    'மெட்ரோ நிலையம் அருகே',
    'மருத்துவமனை எதிரே',
    '4வது குறுக்கு சாலையில்',
    'தண்ணீர் தொட்டி அருகே',
  ],
  es: [
    'cerca de la parada de autobús',
    'frente al templo',
    'junto a la escuela pública',
    'cerca de la entrada del parque',
    'en el cruce principal',
    'detrás del mercado de verduras',
    'cerca de la estación de metro',
    'frente al hospital',
    'en la 4.ª calle transversal',
    'cerca del tanque de agua',
  ],
};

/** How long, index-aligned; `{n}` is a small number. */
const DURATIONS: PerLanguage<readonly string[]> = {
  en: ['for {n} days', 'since this morning', 'since last week', 'for more than a month', 'for {n} weeks'],
  hi: ['पिछले {n} दिनों से', 'आज सुबह से', 'पिछले हफ़्ते से', 'एक महीने से ज़्यादा समय से', '{n} हफ़्तों से'],
  kn: ['{n} ದಿನಗಳಿಂದ', 'ಇಂದು ಬೆಳಿಗ್ಗೆಯಿಂದ', 'ಕಳೆದ ವಾರದಿಂದ', 'ಒಂದು ತಿಂಗಳಿಗೂ ಹೆಚ್ಚು ಕಾಲದಿಂದ', '{n} ವಾರಗಳಿಂದ'],
  ta: ['{n} நாட்களாக', 'இன்று காலை முதல்', 'கடந்த வாரம் முதல்', 'ஒரு மாதத்துக்கும் மேலாக', '{n} வாரங்களாக'],
  es: ['desde hace {n} días', 'desde esta mañana', 'desde la semana pasada', 'desde hace más de un mes', 'desde hace {n} semanas'],
};

interface Tone {
  readonly openers: readonly string[];
  readonly closers: readonly string[];
}

const TONES: PerLanguage<Readonly<Record<Sentiment, Tone>>> = {
  en: {
    angry: {
      openers: ['This is the third time I am complaining!', 'Absolutely pathetic.', 'Shame on BBMP!', ''],
      closers: [
        'Nobody bothers to respond. Fix it immediately!',
        'If this is not fixed in two days I will go to the media.',
        'Useless officials, we pay taxes for this?',
      ],
    },
    neutral: { openers: [''], closers: ['Please look into it.', 'Reporting for necessary action.', ''] },
    polite: {
      openers: ['Dear Sir/Madam,', 'Respected officer,', 'Hello,'],
      closers: ['Kindly take action at the earliest. Thank you.', 'Request you to please send someone to check.', 'Thanks in advance.'],
    },
    thankful: {
      openers: ['Thank you for fixing the streetlight last month.', 'Great job by the ward team on my last complaint.'],
      closers: ['Hoping for the same quick response, thanks!', 'Much appreciated, thank you BBMP.'],
    },
  },
  hi: {
    angry: { openers: ['यह तीसरी बार शिकायत कर रहा हूँ!', 'बहुत बुरा हाल है!'], closers: ['कोई सुनवाई नहीं हो रही, तुरंत ठीक करो!', 'हम टैक्स किसलिए भरते हैं?'] },
    neutral: { openers: [''], closers: ['कृपया ध्यान दें।', ''] },
    polite: { openers: ['महोदय/महोदया,', 'नमस्ते,'], closers: ['कृपया जल्द से जल्द कार्रवाई करें। धन्यवाद।', 'कृपया किसी को जाँच के लिए भेजें।'] },
    thankful: { openers: ['पिछली शिकायत पर जल्दी काम करने के लिए धन्यवाद।'], closers: ['आपकी मदद के लिए बहुत धन्यवाद।'] },
  },
  kn: {
    angry: { openers: ['ಇದು ಮೂರನೇ ಬಾರಿ ದೂರು ನೀಡುತ್ತಿದ್ದೇನೆ!', 'ತುಂಬಾ ಕೆಟ್ಟ ಪರಿಸ್ಥಿತಿ!'], closers: ['ಯಾರೂ ಸ್ಪಂದಿಸುತ್ತಿಲ್ಲ, ತಕ್ಷಣ ಸರಿಪಡಿಸಿ!', 'ನಾವು ತೆರಿಗೆ ಕಟ್ಟುವುದು ಇದಕ್ಕೇನಾ?'] },
    neutral: { openers: [''], closers: ['ದಯವಿಟ್ಟು ಗಮನಿಸಿ.', ''] },
    polite: { openers: ['ಮಾನ್ಯರೇ,', 'ನಮಸ್ಕಾರ,'], closers: ['ದಯವಿಟ್ಟು ಶೀಘ್ರವಾಗಿ ಕ್ರಮ ಕೈಗೊಳ್ಳಿ. ಧನ್ಯವಾದಗಳು.', 'ದಯವಿಟ್ಟು ಪರಿಶೀಲಿಸಲು ಯಾರನ್ನಾದರೂ ಕಳುಹಿಸಿ.'] },
    thankful: { openers: ['ಹಿಂದಿನ ದೂರಿಗೆ ಬೇಗ ಸ್ಪಂದಿಸಿದ್ದಕ್ಕೆ ಧನ್ಯವಾದಗಳು.'], closers: ['ನಿಮ್ಮ ಸಹಾಯಕ್ಕೆ ತುಂಬಾ ಧನ್ಯವಾದಗಳು.'] },
  },
  ta: {
    angry: { openers: ['இது மூன்றாவது முறை புகார் அளிக்கிறேன்!', 'மிக மோசமான நிலை!'], closers: ['யாரும் பதிலளிக்கவில்லை, உடனே சரிசெய்யுங்கள்!', 'நாங்கள் வரி கட்டுவது இதற்காகவா?'] },
    neutral: { openers: [''], closers: ['தயவுசெய்து கவனிக்கவும்.', ''] },
    polite: { openers: ['ஐயா/அம்மா,', 'வணக்கம்,'], closers: ['தயவுசெய்து விரைவில் நடவடிக்கை எடுக்கவும். நன்றி.', 'சரிபார்க்க யாரையாவது அனுப்பவும்.'] },
    thankful: { openers: ['முந்தைய புகாருக்கு விரைவாக நடவடிக்கை எடுத்ததற்கு நன்றி.'], closers: ['உங்கள் உதவிக்கு மிக்க நன்றி.'] },
  },
  es: {
    angry: { openers: ['¡Es la tercera vez que me quejo!', '¡Una vergüenza!'], closers: ['Nadie responde, ¡arréglenlo ya!', '¿Para esto pagamos impuestos?'] },
    neutral: { openers: [''], closers: ['Por favor, revisen.', ''] },
    polite: {
      openers: ['Estimados señores:', 'Hola,'],
      closers: ['Les agradecería que actuaran lo antes posible. Gracias.', 'Por favor, envíen a alguien a revisar.'],
    },
    thankful: { openers: ['Gracias por arreglar la farola el mes pasado.'], closers: ['Muchas gracias por su ayuda.'] },
  },
};

for (const fragment of [
  ...Object.values(ISSUES).flatMap((perLanguage) => Object.values(perLanguage).flat()),
  ...Object.values(PLACES).flat(),
  ...Object.values(DURATIONS).flat(),
  ...Object.values(TONES).flatMap((tones) => Object.values(tones).flatMap((t) => [...t.openers, ...t.closers])),
]) {
  assertJsonSafe(fragment, 'description fragment');
}

function capitalise(text: string): string {
  return text.length === 0 ? text : (text[0] as string).toUpperCase() + text.slice(1);
}

/** Joins non-empty parts with single spaces. */
function sentence(parts: readonly string[]): string {
  let out = '';
  for (const p of parts) {
    if (p.length === 0) continue;
    out = out.length === 0 ? p : `${out} ${p}`;
  }
  return out;
}

export interface DescriptionInput {
  readonly language: Language;
  readonly sentiment: Sentiment;
  readonly subcategory: SubcategoryId;
  /** The ward's name without its number, e.g. "Bellandur". */
  readonly wardName: string;
  /** Sentences with planted personal data, already in `language`. */
  readonly piiSentences: readonly string[];
}

/**
 * Builds one description. Draws from `rng` in a fixed order, so the same inputs and generator
 * state give the same text.
 *
 * @example
 * describeIssue(rng, { language: 'en', sentiment: 'polite', subcategory: 'pothole', wardName: 'Bellandur', piiSentences: [] });
 * // 'Dear Sir/Madam, there is a huge pothole in the middle of the road near the bus stop in Bellandur for 3 days. Thanks in advance.'
 */
export function describeIssue(rng: Random, input: DescriptionInput): string {
  const { language, sentiment, wardName } = input;
  const issue = rng.pick(ISSUES[input.subcategory][language]);
  const place = rng.pick(PLACES[language]);
  const duration = rng.pick(DURATIONS[language]).replace('{n}', String(rng.int(2, 9)));
  const tone = TONES[language][sentiment];
  let opener = rng.pick(tone.openers);
  const closer = rng.pick(tone.closers);
  // Some angry English complaints are shouted: it is what sentiment scoring meets in real queues.
  if (language === 'en' && sentiment === 'angry' && rng.chance(0.15)) opener = opener.toUpperCase();

  // After a salutation ("Dear Sir/Madam,") the sentence runs on in lower case.
  const start = opener.endsWith(',') || opener.endsWith(':') ? (text: string) => text : capitalise;
  let body: string;
  switch (language) {
    case 'en':
      body = `${start(issue)} ${place} in ${wardName} ${duration}.`;
      break;
    case 'hi':
      body = `${wardName} में ${place} ${duration} ${issue}।`;
      break;
    case 'kn':
      body = `${wardName} ವ್ಯಾಪ್ತಿಯ ${place} ${duration} ${issue}.`;
      break;
    case 'ta':
      body = `${wardName} பகுதியில் ${place} ${duration} ${issue}.`;
      break;
    case 'es':
      body = `${start(place)} en ${wardName}, ${issue} ${duration}.`;
      break;
  }
  if (input.piiSentences.length === 0) return sentence([opener, body, closer]);
  // Personal data lands before or after the sign-off, as people add it wherever they remember to.
  return rng.chance(0.5) ? sentence([opener, body, ...input.piiSentences, closer]) : sentence([opener, body, closer, ...input.piiSentences]);
}
