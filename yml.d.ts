// action.yml files are embedded as text in the bundles (esbuild loader "text"; vitest plugin).
declare module '*.yml' {
  const text: string;
  export default text;
}
