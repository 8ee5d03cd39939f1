import { installResponseCheck } from './helpers/response-check.js';
import { installTeardown } from './helpers/teardown.js';

installTeardown();
installResponseCheck();
