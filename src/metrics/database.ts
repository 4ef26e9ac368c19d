import mongoose from 'mongoose';
import { dbCommandDuration, dbCommandErrors } from './registry';

type MongoClient = mongoose.mongo.MongoClient;

const instrumented = new WeakSet<MongoClient>();

function errorCode(failure: Error): string {
  const named = (failure as Error & { codeName?: unknown }).codeName;
  return typeof named === 'string' && named ? named : failure.name || 'Error';
}

/**
 * Times every database command through the driver's command monitoring (the connection is opened
 * with `monitorCommands: true`). Safe to call more than once; a client is instrumented once.
 */
export function instrumentDatabase(connection: mongoose.Connection = mongoose.connection): void {
  if (connection.readyState !== mongoose.ConnectionStates.connected) return;
  const client: MongoClient = connection.getClient();
  if (instrumented.has(client)) return;
  instrumented.add(client);
  client.on('commandSucceeded', (event: mongoose.mongo.CommandSucceededEvent) => {
    dbCommandDuration.observe({ command: event.commandName, outcome: 'ok' }, event.duration / 1000);
  });
  client.on('commandFailed', (event: mongoose.mongo.CommandFailedEvent) => {
    dbCommandDuration.observe({ command: event.commandName, outcome: 'error' }, event.duration / 1000);
    dbCommandErrors.inc({ command: event.commandName, code: errorCode(event.failure) });
  });
}
