// The React and Vue example apps of demo/, bundled by esbuild as their frameworks' own tool chains would (JSX, the
// production builds, Vue's template compiler), so that a browser test mounts the very code the demo shows.
// React ships CommonJS only, which a browser cannot import unbundled: hence a bundle, for both, one way.
import { build } from 'esbuild';

/**
 * Vue needs its template compiler at run time for `template:` components: the build Vite's docs name for that,
 * with the compile-time flags its bundler builds expect. Shared with the demo's Vite server.
 */
export const vueBuild = {
  alias: { vue: 'vue/dist/vue.esm-bundler.js' },
  define: { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
};

const apps = {
  '/__fw/react.js': 'demo/react/app.tsx',
  '/__fw/vue.js': 'demo/vue/app.ts',
};

async function bundle(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    jsx: 'automatic',
    alias: vueBuild.alias,
    define: { 'process.env.NODE_ENV': '"production"', ...vueBuild.define },
  });
  return result.outputFiles[0].text;
}

/** A web-test-runner plugin serving each app's bundle at its `/__fw/…` path. */
export function frameworkApps() {
  const bundles = new Map();
  return {
    name: 'framework-apps',
    async serve(context) {
      const entry = apps[context.path];
      if (!entry) return undefined;
      if (!bundles.has(entry)) bundles.set(entry, bundle(entry));
      return { body: await bundles.get(entry), type: 'js' };
    },
  };
}
