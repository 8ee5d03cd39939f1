import { installTeardown } from './helpers/teardown.js';

installTeardown();
