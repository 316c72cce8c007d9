import '@fontsource/inter/latin-400.css';
import '@fontsource/inter/latin-600.css';
import '@fontsource/jetbrains-mono/latin-400.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app';
import { applyTheme } from './theme';

applyTheme();
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
render(<App />, document.getElementById('app') as HTMLElement);
