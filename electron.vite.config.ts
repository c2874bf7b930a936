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
