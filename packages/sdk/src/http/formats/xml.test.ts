import { describe, expect, it } from 'vitest';
import { isWeftError } from '../../errors.js';
import { buildXml, parseXml } from './xml.js';

const SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<ns:order xmlns:ns="urn:shop" id="7">
  <!-- a comment -->
  <ns:zip>01234</ns:zip>
  <line sku="A&amp;B"><qty>2</qty></line>
  <line sku="C"><qty>10</qty></line>
  <note>  keep  my spaces </note>
  <empty/>
  <esc>&lt;b&gt; &amp;amp; &#65;&#x42; <![CDATA[<raw> &amp;]]></esc>
</ns:order>`;

describe('parseXml', () => {
  it('maps the root to a one-element array and every child name to an array, even when single', () => {
    const doc = parseXml('<a x="1"><b>t</b></a>');
    expect(doc).toEqual({ a: [{ '@x': '1', b: [{ '#text': 't' }] }] });
  });

  it('keeps text as strings (no number parsing), attributes as @keys, and repeated elements in order', () => {
    const order = parseXml(SAMPLE)['ns:order'][0] as any;
    expect(order['@id']).toBe('7');
    expect(order['ns:zip']).toEqual([{ '#text': '01234' }]);
    expect(order.line.map((l: any) => [l['@sku'], l.qty[0]['#text']])).toEqual([
      ['A&B', '2'],
      ['C', '10'],
    ]);
    expect(order['@xmlns:ns']).toBe('urn:shop');
  });

  it('ignores whitespace between elements but keeps whitespace inside text', () => {
    const order = parseXml(SAMPLE)['ns:order'][0] as any;
    expect(order['#text']).toBeUndefined();
    expect(order.note[0]['#text']).toBe('  keep  my spaces ');
    expect(order.empty).toEqual([{}]);
  });

  it('decodes entities once and keeps CDATA verbatim', () => {
    const order = parseXml(SAMPLE)['ns:order'][0] as any;
    expect(order.esc[0]['#text']).toBe('<b> &amp; AB <raw> &amp;');
  });

  it('strips namespace prefixes and xmlns attributes when asked', () => {
    const order = parseXml(SAMPLE, { stripNamespaces: true }).order[0] as any;
    expect(order.zip).toEqual([{ '#text': '01234' }]);
    expect(order['@xmlns:ns']).toBeUndefined();
    expect(Object.keys(order)).not.toContain('@ns');
  });

  it('rejects malformed XML and documents without exactly one root', () => {
    for (const bad of ['<a><b></a>', 'plain text', '<a/><b/>']) {
      try {
        parseXml(bad);
        expect.unreachable(bad);
      } catch (error) {
        expect(isWeftError(error) && error.code).toBe('RESPONSE_PARSE_ERROR');
      }
    }
  });

  it('never expands DOCTYPE entities', () => {
    const doc = parseXml('<!DOCTYPE a [<!ENTITY boom "BOOM">]><a>&boom;</a>') as any;
    expect(doc.a[0]['#text']).not.toContain('BOOM');
  });
});

describe('buildXml', () => {
  it('writes a declaration, nested elements, attributes and text by the same convention', () => {
    const xml = buildXml('contact', { '@id': 5, name: [{ '#text': 'Ann' }], tags: [{ tag: ['a', 'b'] }], note: 'x' });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><contact id="5"><name>Ann</name><tags><tag>a</tag><tag>b</tag></tags><note>x</note></contact>',
    );
  });

  it('escapes text and attribute values', () => {
    const xml = buildXml('a', { '@q': 'say "hi" & <go>\n', '#text': '1 < 2 && 3 > 2' });
    expect(xml).toContain('<a q="say &quot;hi&quot; &amp; &lt;go&gt;&#10;">1 &lt; 2 &amp;&amp; 3 &gt; 2</a>');
    expect(parseXml(xml).a[0]).toEqual({ '@q': 'say "hi" & <go>\n', '#text': '1 < 2 && 3 > 2' });
  });

  it('declares namespaces on the root, with "" as the default namespace', () => {
    const xml = buildXml(
      'soap:Envelope',
      { 'soap:Body': {} },
      { soap: 'http://schemas.xmlsoap.org/soap/envelope/', '': 'urn:d' },
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:d"><soap:Body/></soap:Envelope>',
    );
  });

  it('writes null as an empty element, skips undefined, and rejects invalid names', () => {
    expect(buildXml('a', { b: null, c: undefined })).toBe('<?xml version="1.0" encoding="UTF-8"?><a><b/></a>');
    expect(() => buildXml('a', { 'bad name': 1 })).toThrow(/not a valid XML element name/);
  });

  it('round-trips: parse then build gives equivalent XML', () => {
    const doc = parseXml(SAMPLE);
    const rebuilt = buildXml('ns:order', doc['ns:order'][0]);
    expect(parseXml(rebuilt)).toEqual(doc);
    expect(rebuilt).toContain('<ns:zip>01234</ns:zip>');
  });
});
