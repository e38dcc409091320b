// action.yml files are embedded parsed (scripts/build.mjs and the vitest plugin parse the YAML
// when they build), so no step parses YAML before its inputs: what they hold is checked by
// parseActionMetadata.
declare module '*.yml' {
  const document: unknown;
  export default document;
}
