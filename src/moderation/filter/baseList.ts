import { Filter } from 'bad-words';

/**
 * Entries of the base list that are ordinary English words or names on a news site ("God", "pawn",
 * "screw", "sob" from "s.o.b.", "hell"); holding every comment that says them would bury real abuse.
 */
const INNOCENT_ENTRIES = new Set([
  'god',
  'pawn',
  'lust',
  'lusting',
  'cox',
  'wang',
  'balls',
  'screw',
  'flange',
  'pule',
  'yed',
  'schaffer',
  'rautenberg',
  'hoar',
  's.o.b.',
  'hell',
  'hells',
  'bloody',
  'willy',
  'willies',
  'snatch',
  'spac',
  'dink',
  'dinks',
  'muff',
  'bum',
  'homo',
  'kuk',
  'hui',
  'pula',
  'perse',
  'faen',
]);

/** The bad-words list, without the innocent entries above; read once. */
export const BASE_PROFANITY: readonly string[] = Object.freeze(
  [...new Set(new Filter().list.filter((word) => !INNOCENT_ENTRIES.has(word.toLowerCase())))],
);
