import { afterEach } from 'vitest';
import { checkSpecViolations } from '../fakes/line/guard.ts';

// A request that LINE's official spec rejects fails the test that sent it.
afterEach(() => checkSpecViolations());
