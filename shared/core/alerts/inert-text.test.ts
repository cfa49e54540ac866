import fc from 'fast-check';
import {
  capLength,
  ELLIPSIS,
  escapeWithin,
  htmlEscape,
  inertText,
  isInert,
  jsonUtf8Bytes,
  shownTime,
  slackEscape,
  utf16Units,
  VALUE_CAP,
} from './inert-text.js';

describe('inertText', () => {
  it.each([
    ['an ANSI colour', 'red\u001b[31m', 'red\\u001b[31m'],
    ['a bidi override', 'abc\u202edef', 'abc\\u202edef'],
    ['a bidi isolate', 'x\u2066y\u2069', 'x\\u2066y\\u2069'],
    ['a zero-width joiner', 'a\u200db', 'a\\u200db'],
    ['a C1 control', 'a\u009bb', 'a\\u009bb'],
    ['a Unicode tag character', 'ok\u{e0041}', 'ok\\u{e0041}'],
    ['a line break in a one-line value', 'a\nb', 'a\\u000ab'],
    ['a lone surrogate', 'a\ud800b', 'a\ufffdb'],
    [
      'mention and link syntax, which only the channel escapes handle',
      '<!channel> [x](y)',
      '<!channel> [x](y)',
    ],
  ])('shows %s as visible text', (_, input, shown) => {
    expect(inertText(input, VALUE_CAP)).toBe(shown);
  });

  it('keeps line breaks of a multiline value, as LF, and still escapes other controls', () => {
    expect(inertText('one\r\ntwo\rthree\n\tfour', 100, { multiline: true })).toBe(
      'one\ntwo\nthree\n\\u0009four',
    );
  });

  it('caps by code points, with an ellipsis, never splitting a surrogate pair', () => {
    expect(inertText('x'.repeat(VALUE_CAP), VALUE_CAP)).toBe('x'.repeat(VALUE_CAP));
    expect(inertText('x'.repeat(VALUE_CAP + 1), VALUE_CAP)).toBe(`${'x'.repeat(VALUE_CAP - 1)}${ELLIPSIS}`);
    expect(capLength('😀😀😀', 2)).toBe(`😀${ELLIPSIS}`);
  });

  it('is capped, inert, idempotent, and leaves ordinary short text alone', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 1, max: 300 }),
        (text, max) => {
          const shown = inertText(text, max);
          expect([...shown].length).toBeLessThanOrEqual(max);
          expect(isInert(shown)).toBe(true);
          expect(inertText(shown, max)).toBe(shown);
          if (isInert(text) && !text.includes('\n') && [...text].length <= max) expect(shown).toBe(text);
        },
      ),
    );
  });
});

describe('channel escapes', () => {
  it('escapes only what Slack decodes', () => {
    expect(slackEscape(`<!channel> & <@U123> <https://evil|click> "'*_~\``)).toBe(
      `&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil|click&gt; "'*_~\``,
    );
  });

  it('escapes HTML for Google Chat cards', () => {
    expect(htmlEscape(`<a href="x">it's</a> & <users/all>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;it&#39;s&lt;/a&gt; &amp; &lt;users/all&gt;',
    );
  });
});

const slackUnescape = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

describe('escapeWithin', () => {
  it('leaves text that fits escaped whole', () => {
    expect(escapeWithin('<&>', slackEscape, 13)).toBe('&lt;&amp;&gt;');
  });

  it('cuts after escaping, between entities, and marks the cut', () => {
    // 12 units: `&lt;&amp;` (9) and the ellipsis fit, `&gt;` would not.
    expect(escapeWithin('<&>', slackEscape, 12)).toBe(`&lt;&amp;${ELLIPSIS}`);
    expect(escapeWithin('<&>', slackEscape, 10)).toBe(`&lt;&amp;${ELLIPSIS}`);
    expect(escapeWithin('<&>', slackEscape, 9)).toBe(`&lt;${ELLIPSIS}`);
  });

  it('never splits a surrogate pair', () => {
    expect(escapeWithin('a😀b', (text) => text, 3)).toBe(`a${ELLIPSIS}`);
    expect(escapeWithin('a😀😀', (text) => text, 7, jsonUtf8Bytes)).toBe(`a${ELLIPSIS}`);
    expect(escapeWithin('a😀😀', (text) => text, 8, jsonUtf8Bytes)).toBe(`a😀${ELLIPSIS}`);
  });

  it('measures JSON bytes as the body carries them', () => {
    expect(jsonUtf8Bytes('a"\\é😀')).toBe(1 + 2 + 2 + 2 + 4);
    expect(jsonUtf8Bytes(ELLIPSIS)).toBe(3);
  });

  it('is within its limit and unescapes to the text, or to a prefix of it before the ellipsis', () => {
    const text = fc
      .array(
        fc.oneof(fc.constantFrom('<', '&', '>', '&amp;', '😀', '\u202e', '"'), fc.string({ unit: 'binary' })),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 200 }), fc.boolean(), (original, max, bytes) => {
        const measure = bytes ? jsonUtf8Bytes : utf16Units;
        const shown = escapeWithin(original, slackEscape, Math.max(max, measure(ELLIPSIS)), measure);
        expect(measure(shown)).toBeLessThanOrEqual(Math.max(max, measure(ELLIPSIS)));
        if (shown === slackEscape(original)) return;
        expect(shown.endsWith(ELLIPSIS)).toBe(true);
        const kept = shown.slice(0, -ELLIPSIS.length);
        expect(kept).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(original.startsWith(slackUnescape(kept))).toBe(true);
      }),
    );
  });
});

describe('shownTime', () => {
  it('shows canonical timestamps to the second and anything else inert', () => {
    expect(shownTime('2025-03-01T10:05:00.123456Z')).toBe('2025-03-01 10:05:00 UTC');
    expect(shownTime('yesterday\u001b[2J')).toBe('yesterday\\u001b[2J');
  });
});
