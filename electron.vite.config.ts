/**
 * electron-vite builds the three Electron bundles: main (Node, the engine's host), preload (the
 * bridge, sandboxed) and renderer (the Svelte UI). Native modules stay external: they are loaded
 * from node_modules at run time, never bundled.
 */
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    // The window's process and the engine's utility process are two entry points.
    build: { rollupOptions: { input: { index: 'src/main/index.ts', 'service-host': 'src/main/app/service-host.ts' } } },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    // A sandboxed preload must be CommonJS: Electron loads ESM preloads only without the sandbox.
    build: { rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    plugins: [svelte()],
  },
});
