/** Process owners: processes and versions, parameters as a form, the draft editor with the linter's messages, diff, impact, publish. */
export { ProcessList } from './process-list';
export { ProcessPage } from './process-page';
