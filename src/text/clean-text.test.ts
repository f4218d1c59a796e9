import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanText } from './clean-text.js';

describe('cleanText', () => {
  it('returns clean ASCII text as is', () => {
    const text = 'Pothole near bus stop 14 on MG Road.';
    assert.equal(cleanText(text), text);
  });

  it('collapses whitespace (tabs, newlines, NBSP, NEL) and trims', () => {
    assert.equal(cleanText('  Garbage\tnot\r\ncollected \u00a0 since\u0085Monday  '), 'Garbage not collected since Monday');
    assert.equal(cleanText(''), '');
    assert.equal(cleanText(' \n\t '), '');
  });

  it('removes HTML tags and comments but keeps comparisons', () => {
    assert.equal(cleanText('<p>Pothole on <b>MG Road</b></p><br/>near stop 14'), 'Pothole on MG Road near stop 14');
    assert.equal(cleanText('a<!-- hidden -->b <span class="x">c</span>'), 'a b c');
    assert.equal(cleanText('temperature <30 and >20, a < b'), 'temperature <30 and >20, a < b');
  });

  it('decodes entities and drops unknown ones', () => {
    assert.equal(cleanText('Tom &amp; Jerry &quot;ok&quot; &#8377;500 &#x20B9;20 &lt;b&gt;'), 'Tom & Jerry "ok" ₹500 ₹20 <b>');
    assert.equal(cleanText('a&nbsp;&nbsp;b &bogus; c'), 'a b c');
    assert.equal(cleanText('AT&T and R&D'), 'AT&T and R&D');
  });

  it('applies NFKC: full-width forms and ligatures become ordinary characters', () => {
    assert.equal(cleanText('ＭＧ　Ｒｏａｄ １４ ﬁx'), 'MG Road 14 fix');
    assert.equal(cleanText('&#xFF21;'), 'A');
  });

  it('strips control and invisible characters but keeps ZWJ/ZWNJ', () => {
    assert.equal(cleanText('bad\u0000\u0007\u001b\u007f\u009b text\u200b\ufeff\u00ad\u202e!'), 'bad text!');
    assert.equal(cleanText('क्\u200dष'), 'क्\u200dष');
    assert.equal(cleanText('ಕ್\u200cಷ'), 'ಕ್\u200cಷ');
  });

  it('keeps every script and the original case', () => {
    for (const text of [
      'मेरे घर के सामने सड़क पर बड़ा गड्ढा है',
      'ನಮ್ಮ ಬಡಾವಣೆಯಲ್ಲಿ ಕಸ ಸಂಗ್ರಹಣೆ ಆಗಿಲ್ಲ',
      'எங்கள் தெருவில் குப்பை அகற்றப்படவில்லை',
      'La basura no ha sido recogida, ¡qué olor!',
      'BBMP did NOT respond',
    ]) {
      assert.equal(cleanText(text), text.normalize('NFKC'));
    }
  });

  it('is idempotent', () => {
    const once = cleanText('  <i>Water</i>&amp;power\u200b cut\n\nsince ２ days ');
    assert.equal(cleanText(once), once);
  });
});
