import { InitialSchema1763900000000 } from './1763900000000-initial-schema';

/** Every migration in the order it must run; append new ones, never edit a released one. */
export const allMigrations = [InitialSchema1763900000000] as const;
