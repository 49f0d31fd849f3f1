// Every test file's default limits grow with the machine's load, measured when the file starts (see
// tests/helpers/load-scale.ts): a bound that holds on a quiet machine must not fail on a busy CI box or
// beside two `yes > /dev/null` hogs. A test's own explicit limit should use `scaled()` as well.
import { vi } from 'vitest';
import { scaled } from '../helpers/load-scale.js';

vi.setConfig({ testTimeout: scaled(30_000), hookTimeout: scaled(60_000) });
