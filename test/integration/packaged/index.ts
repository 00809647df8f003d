// Entry for the packaged-extension check (scripts/integration/run.js, phase "packaged"): the .vsix was
// installed into a fresh code-server with --install-extension, and this runs against THAT copy. The
// workbench only runs tests for a development session, so the harness passes an empty development folder;
// the UDP Lab loaded is the installed one.
import { findFiles, runMocha } from '../support/runMocha';

export function run(): Promise<void> {
  return runMocha(findFiles(__dirname, '.suite.js'));
}
