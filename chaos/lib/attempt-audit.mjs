// What the delivery log in PostgreSQL says: retries made before they were due, and where each lost
// delivery stands.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { readConfig } = require('@hookline/config');
const { readPreset } = require('@hookline/presets');

const MAX_EXAMPLES = 10;

/** The retry policy the services read from `env` (the same code reads it). */
export function retryPolicyOf(env) {
  return readConfig(env, (reader) => readPreset(reader)).retry;
}

/**
 * Checks every retry (attempt n ≥ 2) against the attempt before it: it must not start before that
 * attempt finished plus the scheduled delay. Jitter and `Retry-After` only ever add, so nothing is
 * subtracted. `attempts`: rows `{ deliveryId, attemptNumber, startedAt, finishedAt }` (epoch ms).
 */
export function findEarlyRetries(attempts, delaysMs) {
  const byDelivery = new Map();
  for (const row of attempts) {
    const rows = byDelivery.get(row.deliveryId) ?? new Map();
    rows.set(row.attemptNumber, row);
    byDelivery.set(row.deliveryId, rows);
  }
  const result = { retriesChecked: 0, early: 0, withoutPrevious: 0, examples: [] };
  for (const rows of byDelivery.values()) {
    for (const row of rows.values()) {
      if (row.attemptNumber < 2) continue;
      const previous = rows.get(row.attemptNumber - 1);
      if (!previous) {
        result.withoutPrevious += 1;
        continue;
      }
      result.retriesChecked += 1;
      const delayMs = delaysMs[Math.min(row.attemptNumber - 2, delaysMs.length - 1)];
      const dueAt = previous.finishedAt + delayMs;
      if (row.startedAt >= dueAt) continue;
      result.early += 1;
      if (result.examples.length < MAX_EXAMPLES) {
        result.examples.push({
          deliveryId: row.deliveryId,
          attempt: row.attemptNumber,
          scheduledDelayMs: delayMs,
          startedAfterPreviousMs: row.startedAt - previous.finishedAt,
          earlyByMs: dueAt - row.startedAt,
        });
      }
    }
  }
  return result;
}

async function withClient(url, fn) {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Reads the delivery log of the scenario's database: the early-retry check over every attempt of
 * the given endpoints, and for each lost (event, endpoint) pair what the platform recorded about it.
 * `lost`: `[{ eventId, endpointId, endpoint, via, refusedByIngest? }]` (`refusedByIngest`: the reason
 * ingest gave when it set the event's record aside as invalid).
 */
export async function auditDeliveryLog(databaseUrl, { endpointIds, delaysMs, lost }) {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT delivery_id, attempt_number, started_at, finished_at
         FROM delivery_attempts WHERE endpoint_id = ANY($1)`,
      [endpointIds],
    );
    const attempts = rows.map((row) => ({
      deliveryId: row.delivery_id,
      attemptNumber: row.attempt_number,
      startedAt: new Date(row.started_at).getTime(),
      finishedAt: new Date(row.finished_at).getTime(),
    }));
    const retries = findEarlyRetries(attempts, delaysMs);
    const attemptsByNumber = {};
    for (const attempt of attempts)
      attemptsByNumber[attempt.attemptNumber] = (attemptsByNumber[attempt.attemptNumber] ?? 0) + 1;
    return {
      attemptsRecorded: attempts.length,
      attemptsByNumber,
      retries,
      lost: lost.length > 0 ? await explainLost(client, lost) : { byState: {}, examples: [] },
    };
  });
}

/** Sorts lost pairs by what the database holds: no event row, no delivery row, or the delivery's status. */
async function explainLost(client, lost) {
  const eventIds = [...new Set(lost.map((pair) => pair.eventId))];
  const stored = new Set(
    (await client.query(`SELECT id FROM events WHERE id = ANY($1)`, [eventIds])).rows.map((row) => row.id),
  );
  const deliveries = new Map();
  const { rows } = await client.query(
    `SELECT event_id, endpoint_id, status, attempt_count, last_error, updated_at
       FROM deliveries WHERE event_id = ANY($1)`,
    [eventIds],
  );
  for (const row of rows) deliveries.set(`${row.event_id} ${row.endpoint_id}`, row);
  const byState = {};
  const examples = [];
  for (const pair of lost) {
    const row = deliveries.get(`${pair.eventId} ${pair.endpointId}`);
    const state = row
      ? `delivery ${row.status} after ${row.attempt_count} attempt(s)`
      : stored.has(pair.eventId)
        ? 'event stored, no delivery row'
        : pair.refusedByIngest !== undefined
          ? `never reached the dispatcher: ingest set the record aside on hookline.ingest.invalid (${pair.refusedByIngest})`
          : 'event never stored by the dispatcher';
    byState[state] = (byState[state] ?? 0) + 1;
    if (examples.length < MAX_EXAMPLES) {
      examples.push({
        endpoint: pair.endpoint,
        eventId: pair.eventId,
        via: pair.via,
        state,
        ...(row?.last_error ? { lastError: row.last_error } : {}),
      });
    }
  }
  return { byState, examples };
}
