import { describeFixtureGraphs } from './fixture-suite.ts';

describeFixtureGraphs('siglip-384');
