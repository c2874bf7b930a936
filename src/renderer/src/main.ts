import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';
import { app } from './lib/app-state.svelte';

mount(App, { target: document.getElementById('app')! });
void app.start();
