import { summaryText } from './dist/trace/summary.js';
