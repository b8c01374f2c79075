import { describeFixtureGraphs } from './fixture-suite.ts';

describeFixtureGraphs('clip-224');
