"""Real local peers for tests: a webhook receiver; the fake EDGAR lives in watcher.demo."""
