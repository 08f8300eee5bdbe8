import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from './api/client.ts';
import { App } from './App.tsx';
import { AppProvider } from './session.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider api={new ApiClient()}>
      <App />
    </AppProvider>
  </StrictMode>,
);
