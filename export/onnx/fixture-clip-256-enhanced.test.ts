import { describeFixtureGraphs } from './fixture-suite.ts';

describeFixtureGraphs('clip-256-enhanced');
