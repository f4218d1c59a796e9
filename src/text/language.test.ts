import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectLanguage } from './language.js';

describe('detectLanguage', () => {
  it('recognises Indic scripts', () => {
    assert.equal(detectLanguage('मेरे घर के सामने सड़क पर बड़ा गड्ढा है, कोई मरम्मत नहीं हुई।'), 'hi');
    assert.equal(detectLanguage('ನಮ್ಮ ಬಡಾವಣೆಯಲ್ಲಿ ಕಸ ಸಂಗ್ರಹಣೆ ಕಳೆದ ಒಂದು ವಾರದಿಂದ ಆಗಿಲ್ಲ.'), 'kn');
    assert.equal(detectLanguage('எங்கள் தெருவில் குப்பை அகற்றப்படவில்லை'), 'ta');
    assert.equal(detectLanguage('మా వీధిలో చెత్త తొలగించలేదు'), 'te');
    assert.equal(detectLanguage('আমাদের রাস্তায় আবর্জনা জমে আছে'), 'bn');
    assert.equal(detectLanguage('ਸਾਡੀ ਗਲੀ ਵਿੱਚ ਕੂੜਾ'), 'pa');
    assert.equal(detectLanguage('અમારી શેરીમાં કચરો'), 'gu');
    assert.equal(detectLanguage('ഞങ്ങളുടെ തെരുവിൽ മാലിന്യം'), 'ml');
  });

  it('tells Marathi from Hindi by frequent words', () => {
    assert.equal(detectLanguage('आमच्या रस्त्यावर खूप कचरा आहे आणि पाणी येत नाही'), 'mr');
    assert.equal(detectLanguage('हमारी गली में बहुत कचरा है और पानी नहीं आ रहा'), 'hi');
    assert.equal(detectLanguage('शाळेजवळ रस्ता खराब'), 'mr');
  });

  it('goes by the script with the most letters in mixed text', () => {
    assert.equal(detectLanguage('मेरा phone नंबर काम नहीं कर रहा है'), 'hi');
    assert.equal(detectLanguage('Garbage near the temple मंदिर has not been collected for days'), 'en');
  });

  it('votes among Latin-script languages by stop words, English by default', () => {
    assert.equal(detectLanguage('Garbage has not been collected for two weeks near the market.'), 'en');
    assert.equal(detectLanguage('La basura no ha sido recogida en la calle desde hace dos semanas.'), 'es');
    assert.equal(detectLanguage("Les ordures n'ont pas été ramassées dans notre rue depuis deux semaines."), 'fr');
    assert.equal(detectLanguage('O lixo não foi recolhido na nossa rua há duas semanas.'), 'pt');
    assert.equal(detectLanguage('Der Müll wurde seit zwei Wochen nicht abgeholt, bitte kommen Sie.'), 'de');
    assert.equal(detectLanguage('Pothole MG Road'), 'en');
  });

  it("answers 'und' for other scripts and for text without letters", () => {
    assert.equal(detectLanguage(''), 'und');
    assert.equal(detectLanguage('12345 !!! 2024-01-15'), 'und');
    assert.equal(detectLanguage('Мусор не вывозят две недели'), 'und');
    assert.equal(detectLanguage('ゴミが回収されていません'), 'und');
    assert.equal(detectLanguage('😀😀 ₹500'), 'und');
  });
});
