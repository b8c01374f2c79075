import { describeFixtureGraphs } from '../../src/test-support/onnx-fixture-suite.ts';

describeFixtureGraphs('clip-256-enhanced');
