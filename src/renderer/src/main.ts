import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';
import { app } from './lib/app-state.svelte';
import { needsAccessToken } from './lib/api';

mount(App, { target: document.getElementById('app')! });
// Without this run's token nothing can be asked of Trove: the page only says how to open it.
if (!needsAccessToken) void app.start();
