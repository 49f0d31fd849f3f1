// The API token the daemon put in the page it served. A restarted daemon may mint a new one: the page it
// serves now carries it, so a reconnect asks for the page again rather than reusing a stale token.
export class PageToken {
  private static readonly META = /<meta\s+name="devmesh-token"\s+content="([^"]*)"/;
  private token: string;
  private firstAsk = true;

  constructor(private readonly win: Window) {
    this.token = win.document.querySelector<HTMLMetaElement>('meta[name="devmesh-token"]')?.content ?? '';
  }

  /** The page's token on the first ask; on later asks (reconnects) the token of the page as served now. */
  async get(): Promise<string> {
    if (this.firstAsk) {
      this.firstAsk = false;
      return this.token;
    }
    this.token = (await this.fetchPageToken()) ?? this.token;
    return this.token;
  }

  private async fetchPageToken(): Promise<string | null> {
    try {
      const res = await this.win.fetch(this.win.location.href, { cache: 'no-store', credentials: 'same-origin' });
      if (!res.ok) return null;
      return PageToken.META.exec(await res.text())?.[1] || null;
    } catch {
      // The daemon is down: keep the last token and let the WebSocket attempt report the failure.
      return null;
    }
  }
}
