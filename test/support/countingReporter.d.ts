// Types for countingReporter.js, so TypeScript test entries (the integration run() in the extension host)
// can hand the same reporter to mocha.
import Mocha from 'mocha';

declare class CountingReporter extends Mocha.reporters.Spec {}
export = CountingReporter;
