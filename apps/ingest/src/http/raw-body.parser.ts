import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';

/** Media types read as JSON: `application/json` and structured-syntax types such as `application/cloudevents+json`. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** Injection token of the installed body parser (its value is only a marker). */
export const RAW_BODY_PARSER = Symbol('hookline.ingest.raw-body-parser');

/**
 * Installs a parser that keeps JSON bodies as raw bytes, up to `limitBytes`.
 *
 * The bytes are decoded by the same code as ingest-topic records, so both adapters report malformed
 * input in the same words. The parser is installed while providers are created, which is before Nest
 * adds its default parsers (with a fixed 100 KB limit); those then find the body already read and
 * leave it alone.
 */
export function rawBodyParserProvider(limitBytes: number): Provider {
  return {
    provide: RAW_BODY_PARSER,
    inject: [HttpAdapterHost],
    useFactory: (host: HttpAdapterHost) => {
      const adapter = host.httpAdapter;
      if (!(adapter instanceof ExpressAdapter)) {
        throw new Error('the ingest service needs the Express HTTP adapter');
      }
      adapter.useBodyParser('raw', false, { type: JSON_MEDIA_TYPES, limit: limitBytes });
      return limitBytes;
    },
  };
}
