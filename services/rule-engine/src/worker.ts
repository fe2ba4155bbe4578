import { startWorker } from '@innover/kit';
import { ruleEngine } from './service.ts';

await startWorker(ruleEngine);
