// Layout and routes. Logged out: the login page; logged in: navigation and the page of the URL.
import { useState } from 'react';
import { AlarmBadge } from './components/AlarmBadge.tsx';
import { AccountPage } from './pages/AccountPage.tsx';
import { AdminPage } from './pages/AdminPage.tsx';
import { AlarmsPage } from './pages/AlarmsPage.tsx';
import { ChartsPage } from './pages/ChartsPage.tsx';
import { DashboardPage } from './pages/DashboardPage.tsx';
import { DashboardsPage } from './pages/DashboardsPage.tsx';
import { DevicePage } from './pages/DevicePage.tsx';
import { DevicesPage } from './pages/DevicesPage.tsx';
import { EnergyPage } from './pages/EnergyPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { NotificationsPage } from './pages/NotificationsPage.tsx';
import { RulesPage } from './pages/RulesPage.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { useApp, useStreamState } from './session.tsx';

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/devices', label: 'Devices' },
  { to: '/energy', label: 'Energy' },
  { to: '/charts', label: 'Charts' },
  { to: '/dashboards', label: 'Dashboards' },
  { to: '/alarms', label: 'Alarms' },
  { to: '/rules', label: 'Rules' },
  { to: '/notifications', label: 'Notifications' },
];

function Page({ path }: { path: string }) {
  const { session } = useApp();
  let params: Record<string, string> | undefined;
  if (path === '/') return <OverviewPage />;
  if (path === '/devices') return <DevicesPage />;
  if ((params = match('/devices/:id', path))) return <DevicePage id={params.id!} />;
  if (path === '/energy') return <EnergyPage />;
  if (path === '/charts') return <ChartsPage />;
  if ((params = match('/charts/:id', path))) return <ChartsPage openId={params.id!} />;
  if (path === '/dashboards') return <DashboardsPage />;
  if ((params = match('/dashboards/:id', path))) return <DashboardPage id={params.id!} />;
  if (path === '/alarms') return <AlarmsPage />;
  if (path === '/rules') return <RulesPage />;
  if (path === '/notifications') return <NotificationsPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/admin' && session?.user.role === 'admin') return <AdminPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at this address. <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}

export function App() {
  const { session, api } = useApp();
  const { path } = useLocation();
  const live = useStreamState();
  const [menuOpen, setMenuOpen] = useState(false);
  if (!session) return <LoginPage />;
  const nav = session.user.role === 'admin' ? [...NAV, { to: '/admin', label: 'Admin' }] : NAV;
  const active = (to: string) => (to === '/' ? path === '/' : path.startsWith(to));
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Fluxgate
        </Link>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </button>
        <nav id="nav" className={menuOpen ? 'open' : ''} aria-label="Main">
          {nav.map((n) => (
            <Link key={n.to} to={n.to} aria-current={active(n.to) ? 'page' : undefined} onClick={() => setMenuOpen(false)}>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <AlarmBadge />
          <span className={`live-dot ${live}`} title={`Live updates: ${live}`} aria-label={`Live updates ${live}`} />
          <Link to="/account" className="account-link" aria-current={path === '/account' ? 'page' : undefined}>
            Account
          </Link>
          <span className="username">{session.user.username}</span>
          <button type="button" onClick={() => void api.logout().then(() => navigate('/', true))}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </div>
  );
}
