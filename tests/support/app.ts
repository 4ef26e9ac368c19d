import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger, type Logger } from '../../src/logging/logger';
import { buildOpenApiDocument } from '../../src/openapi/document';
import type { OpenApiDocument } from '../../src/openapi/types';
import { checkAnswersAgainstDocument } from './contract';

/** Every log line the test apps wrote, as parsed JSON, so tests can check what is (not) logged. */
export const capturedLogLines: Record<string, unknown>[] = [];
export const capturedLogText: string[] = [];

const captureStream = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    const text = chunk.toString('utf8');
    capturedLogText.push(text);
    for (const line of text.split('\n')) {
      if (line.trim()) capturedLogLines.push(JSON.parse(line) as Record<string, unknown>);
    }
    callback();
  },
});

export const testLogger: Logger = createLogger({ level: 'debug', name: 'threadline-test' }, captureStream);

const testSecret = randomBytes(48).toString('base64url');

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: testSecret,
    PUBLIC_URL: 'http://threadline.test',
    DATA_DIR: '.data/test',
    RATE_LIMITS_ENABLED: 'false',
    ...overrides,
  });
}

/** The OpenAPI document the app serves, generated from what its routes declare. */
export function servedDocument(): OpenApiDocument {
  testApp();
  return buildOpenApiDocument();
}

/**
 * The real app, wired to the run's database, logging into capturedLogLines. Every answer it gives is
 * checked against the OpenAPI document (tests/support/contract.ts).
 */
export function testApp(overrides: Record<string, string> = {}): Express {
  return createApp({ config: testConfig(overrides), logger: testLogger, observe: checkAnswersAgainstDocument });
}
