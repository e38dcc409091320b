import { afterAll } from 'vitest';
import { removeTempDirs } from './temp.js';

// Registered first, so it runs after the test file's own afterAll hooks (servers stop first).
afterAll(removeTempDirs);
