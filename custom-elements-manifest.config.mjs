// Read by `cem analyze`: the element's public API comes from its JSDoc, never from hand edits.
export default {
  globs: ['src/element/**/*.ts', 'src/call/events.ts', 'src/wsp-call.ts'],
  exclude: ['**/*.test.ts'],
  outdir: '.',
  litelement: true,
  // The package.json field is written by hand once; a check run into another folder must not rewrite it.
  packagejson: false,
};
