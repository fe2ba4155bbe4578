import { notBuilt } from './not-built.js';

export const command = notBuilt('urls');
