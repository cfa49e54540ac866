import type { CloudEvent } from '@google-cloud/functions-framework';

type Structured = Record<string, unknown>;

function jsonOrText(text: string): Structured {
  try {
    return { data: JSON.parse(text) as unknown };
  } catch {
    return { data: text };
  }
}

function fromBytes(bytes: Uint8Array): Structured {
  try {
    return jsonOrText(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { data_base64: Buffer.from(bytes).toString('base64') };
  }
}

/**
 * The framework's body parsers give `data` as an object for JSON content types, a string for text
 * and a Buffer for anything else. Bytes that are JSON text become the object a JSON content type
 * would have given; anything else is kept as it came, for the decoders to quarantine whole.
 */
function dataFields(data: unknown, dataBase64: unknown): Structured {
  if (data === undefined || data === null) {
    return typeof dataBase64 === 'string' ? fromBytes(Buffer.from(dataBase64, 'base64')) : {};
  }
  if (data instanceof Uint8Array) return fromBytes(data);
  if (typeof data === 'string') return jsonOrText(data);
  return { data };
}

/**
 * The CloudEvent the framework hands over (from a structured body or from `ce-*` headers in binary
 * mode, where attribute names arrive lower-cased) as the structured JSON event the decoders
 * recognise: every context and extension attribute (methodname, servicename, ...) plus `data`.
 */
export function structuredCloudEvent(event: CloudEvent<unknown>): Structured {
  const { data, data_base64: dataBase64, ...attributes } = event as unknown as Structured;
  const structured: Structured = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) structured[name] = value;
  }
  return { ...structured, ...dataFields(data, dataBase64) };
}
