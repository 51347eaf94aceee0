/**
 * Input field builders for tools. Text, number, boolean and JSON are plain zod types;
 * file, image and audio are strings (a local path or an http(s)/file URL) tagged in
 * the JSON Schema with `x-chainlm-type` so UIs and remote clients know to upload or
 * link media rather than inline it.
 */
import { z } from 'zod';

export type MediaKind = 'file' | 'image' | 'audio';

const mediaPattern = /^(https?:\/\/|file:\/\/|\/|\.{0,2}\/|[^:]+$)/;

function media(kind: MediaKind, description: string) {
  return z
    .string()
    .min(1)
    .regex(mediaPattern, `${kind} must be a path or an http(s)/file URL`)
    .describe(description)
    .meta({ format: 'uri-reference', 'x-chainlm-type': kind });
}

export const toolInputs = {
  text: (description: string) => z.string().describe(description),
  number: (description: string) => z.number().describe(description),
  boolean: (description: string) => z.boolean().describe(description),
  json: (description: string) => z.json().describe(description),
  file: (description: string) => media('file', description),
  image: (description: string) => media('image', description),
  audio: (description: string) => media('audio', description),
};
