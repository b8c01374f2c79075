import { describeFixtureGraphs } from '../../src/test-support/onnx-fixture-suite.ts';

describeFixtureGraphs('siglip-384');
