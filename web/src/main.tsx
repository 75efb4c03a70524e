/** The Docket web UI: sign in with a token, then the pages of the signed-in role. Routes live in the URL's hash. */
import { render, type JSX } from 'preact';
import { CalendarBanner } from './calendar';
import { useEffect, useState } from 'preact/hooks';
import { answered, api, ApiFailure, loadSession, saveSession, sessionHeaders, type Session } from './api';
import { roleLabel, translate, type Lang, type MessageKey } from './i18n';
import { UsersPage } from './pages/admin';
import { AuditCase, AuditSearch } from './pages/audit';
import { CustomerPage, CustomersPage, readsCustomers } from './pages/customers';
import { IncidentCase, IncidentsPage } from './pages/incidents';
import { NotificationBadge, NotificationsPage } from './pages/notifications';
import { ProcessList, ProcessPage } from './pages/owner';
import { ReportsPage } from './pages/reports';
import { LibraryPage } from './pages/library';
import { ReviewPage, SamplePage, SamplingPage } from './pages/sampling';
import { CasePage, Inbox, StartCase } from './pages/staff';
import { App, ErrorBox, type Me } from './ui';
import { ownValue } from '../../engine/own';
import './style.css';

const LANG_KEY = 'docket.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** The roles the Reports page is for (GET /reports/<name>; a sales rep sees their own figures). */
const REPORT_READERS = ['sales_rep', 'sales_manager', 'service_manager', 'management'];

/** The pages a role works in, first one is home. */
function navFor(role: string): Array<{ hash: string; key: MessageKey }> {
  if (role === 'process_owner')
    return [
      { hash: '#/processes', key: 'processes' },
      { hash: '#/library', key: 'library' },
    ];
  if (role === 'auditor')
    return [
      { hash: '#/audit', key: 'audit' },
      { hash: '#/sampling', key: 'sampling' },
      { hash: '#/library', key: 'library' },
      { hash: '#/reports', key: 'reports' },
      { hash: '#/customers', key: 'customers' },
    ];
  if (role === 'admin')
    return [
      { hash: '#/users', key: 'users' },
      { hash: '#/incidents', key: 'incidents' },
    ];
  return [
    { hash: '#/inbox', key: 'inbox' },
    { hash: '#/start', key: 'startCase' },
    ...(readsCustomers(role) ? [{ hash: '#/customers', key: 'customers' as const }] : []),
    ...(REPORT_READERS.includes(role) ? [{ hash: '#/reports', key: 'reports' as const }] : []),
    { hash: '#/library', key: 'library' },
  ];
}

/** The page of each route (the hash's first part), given the rest of the hash. */
const ROUTES: Record<string, (arg: string | undefined) => JSX.Element> = {
  inbox: () => <Inbox />,
  start: (arg) => <StartCase processId={arg} />,
  cases: (arg) => (arg ? <CasePage key={arg} caseId={arg} /> : <Inbox />),
  processes: (arg) => (arg ? <ProcessPage key={arg} processId={arg} /> : <ProcessList />),
  users: () => <UsersPage />,
  incidents: (arg) => (arg ? <IncidentCase key={arg} caseId={arg} /> : <IncidentsPage />),
  audit: (arg) => (arg ? <AuditCase key={arg} caseId={arg} /> : <AuditSearch />),
  notifications: () => <NotificationsPage />,
  reports: () => <ReportsPage />,
  customers: (arg) => (arg ? <CustomerPage key={arg} customerId={arg} /> : <CustomersPage />),
  library: (arg) => <LibraryPage key={arg ?? ''} {...(arg && { entryId: arg })} />,
  sampling: (arg) => {
    const [sampleId, ...rest] = (arg ?? '').split('/');
    if (!sampleId) return <SamplingPage />;
    return rest.length > 0 ? (
      <ReviewPage key={arg} sampleId={sampleId} caseId={rest.join('/')} />
    ) : (
      <SamplePage key={sampleId} sampleId={sampleId} />
    );
  },
};

function Root() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null>(loadSession);
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const hash = useHash();
  const t = (k: MessageKey) => translate(lang, k);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);

  useEffect(() => {
    if (!session) {
      setMe(null);
      return;
    }
    // A user with several roles acts in one: the stored choice, else the first.
    answered(api.GET('/me', { headers: sessionHeaders({ token: session.token, role: null }) })).then(
      (who) => {
        const role = session.role && who.roles.includes(session.role) ? session.role : who.roles[0]!;
        if (role !== session.role) {
          const next = { token: session.token, role };
          saveSession(next);
          setSession(next);
          return;
        }
        setMe({ ...who, role });
      },
      (err: unknown) => {
        setError(err);
        saveSession(null);
        setSession(null);
      },
    );
  }, [session?.token, session?.role]);

  const navigate = (h: string) => {
    location.hash = h;
  };

  const langSwitch = (
    <label class="lang">
      <span class="sr-only">{t('language')}</span>
      <select aria-label={t('language')} value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)} data-testid="lang">
        <option value="en">English</option>
        <option value="zh-CN">中文</option>
      </select>
    </label>
  );

  if (!session || !me) {
    return (
      <div class="signin-page">
        <header class="top">
          <span class="brand">Docket</span>
          {langSwitch}
        </header>
        {session && !me ? (
          <p class="muted center">{t('loading')}</p>
        ) : (
          <SignIn
            lang={lang}
            error={error}
            onSignedIn={(s) => {
              setError(null);
              setSession(s);
            }}
          />
        )}
      </div>
    );
  }

  const nav = navFor(me.role);
  const [path, ...rest] = hash.replace(/^#\/?/, '').split('/');
  const arg = rest.join('/') ? decodeURIComponent(rest.join('/')) : undefined;
  const page = ownValue(ROUTES, path ?? '')?.(arg);
  if (!page) {
    navigate(nav[0]!.hash);
    return null;
  }

  return (
    <App.Provider value={{ lang, me, navigate }}>
      <header class="top">
        <a class="brand" href={nav[0]!.hash}>
          Docket
        </a>
        <nav>
          {nav.map((n) => (
            <a key={n.hash} href={n.hash} class={hash.startsWith(n.hash) ? 'active' : ''}>
              {t(n.key)}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <NotificationBadge key={`badge-${me.role}`} />
        <span class="who" data-testid="who">
          {t('signedInAs')} <strong>{me.displayName}</strong>
        </span>
        {me.roles.length > 1 ? (
          <select
            aria-label={t('role')}
            data-testid="role"
            value={me.role}
            onChange={(e) => {
              const next = { token: session.token, role: e.currentTarget.value };
              saveSession(next);
              setSession(next);
              navigate(navFor(next.role)[0]!.hash);
            }}
          >
            {me.roles.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r, lang)}
              </option>
            ))}
          </select>
        ) : (
          <span class="role" data-testid="role">
            {roleLabel(me.role, lang)}
          </span>
        )}
        {langSwitch}
        <button
          onClick={() => {
            saveSession(null);
            setSession(null);
            setMe(null);
            navigate('#/');
          }}
        >
          {t('signOut')}
        </button>
      </header>
      <CalendarBanner key={`calendar-${me.role}`} />
      <main key={`${me.role}-${lang}`}>{page}</main>
    </App.Provider>
  );
}

function SignIn({ lang, error, onSignedIn }: { lang: Lang; error: unknown; onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [failure, setFailure] = useState<unknown>(error);
  const [busy, setBusy] = useState(false);
  const t = (k: MessageKey) => translate(lang, k);
  const submit = async (e: Event) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setFailure(new ApiFailure(401, 'Unauthenticated', t('tokenHelp')));
      return;
    }
    setBusy(true);
    try {
      await answered(api.GET('/me', { headers: sessionHeaders({ token: value, role: null }) }));
      const s = { token: value, role: null };
      saveSession(s);
      onSignedIn(s);
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <App.Provider value={{ lang, me: null as unknown as Me, navigate: () => undefined }}>
      <form class="signin panel" onSubmit={(e) => void submit(e)}>
        <h1>{t('signIn')}</h1>
        <ErrorBox error={failure} />
        <div class="field">
          <label for="token">{t('token')}</label>
          <input id="token" type="password" autocomplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
          <div class="hint">{t('tokenHelp')}</div>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {t('signIn')}
        </button>
      </form>
    </App.Provider>
  );
}

render(<Root />, document.getElementById('app')!);
