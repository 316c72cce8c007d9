/** Light or dark: the system's choice until the user picks one, which is remembered. */
const KEY = 'hookline.portal.theme';
type Theme = 'light' | 'dark';

function stored(): Theme | null {
  const value = window.localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : null;
}

export function currentTheme(): Theme {
  return stored() ?? (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

export function applyTheme(): void {
  document.documentElement.dataset.theme = currentTheme();
}

export function toggleTheme(): Theme {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  window.localStorage.setItem(KEY, next);
  applyTheme();
  return next;
}
