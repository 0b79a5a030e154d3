/**
 * XML for connector code (a webhook that receives XML, a body built by hand), by the same
 * convention as `requestFormatXml`/`responseFormatXml` (docs/data-formats.md). Asynchronous
 * because the XML parser is loaded only when XML is first used, as in the HTTP pipeline.
 */
import type { ParseXmlOptions, XmlDocument } from './http/formats/xml.js';
import { loadXml } from './http/response.js';

export type { ParseXmlOptions, XmlDocument, XmlElement } from './http/formats/xml.js';

/** Parses an XML document; text that is not well-formed XML is a `RESPONSE_PARSE_ERROR`. */
export async function parseXml(text: string, options: ParseXmlOptions = {}): Promise<XmlDocument> {
  return (await loadXml()).parseXml(text, options);
}

/** Builds an XML document (with its declaration) whose root element `root` holds `value`. */
export async function buildXml(root: string, value: unknown, namespaces?: Record<string, string>): Promise<string> {
  return (await loadXml()).buildXml(root, value, namespaces);
}
