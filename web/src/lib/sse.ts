// A Server-Sent Events reader over fetch (signed in by the session cookie),
// so that the status of the connection can be told. It reconnects by
// itself with the id of the last event it saw, so nothing is missed.

export interface StreamEvent {
  id: string;
  event: string;
  data: string;
}

// parseChunk reads complete events out of buffered text and returns them
// with what is left over (an event cut in the middle).
export function parseChunk(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    const ev: StreamEvent = { id: "", event: "message", data: "" };
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(":")) continue; // a comment: the heartbeat
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "id") ev.id = value;
      else if (field === "event") ev.event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length > 0) {
      ev.data = data.join("\n");
      events.push(ev);
    }
  }
  return { events, rest };
}

// StreamStatus is what a reader tells of its connection: connecting the
// first time, live while the stream answers, reconnecting after it dropped
// (until it answers again).
export type StreamStatus = "connecting" | "live" | "reconnecting";

// silenceMs: the server sends a comment every 15 s, so a stream silent for
// this long is dead even if its connection looks open (a laptop waking up,
// a proxy that forgot it): it is dropped and opened again.
export const silenceMs = 40_000;

// follow reads url until stop() is called, calling onEvent for each event
// and onStatus when the connection's state changes.
export function follow(
  url: string,
  onEvent: (e: StreamEvent) => void,
  onStatus?: (s: StreamStatus) => void,
): () => void {
  let stopped = false;
  let lastId = "";
  let current: AbortController | null = null;
  let state: StreamStatus | null = null;
  const tell = (s: StreamStatus) => {
    if (stopped || s === state) return;
    state = s;
    onStatus?.(s);
  };
  const run = async () => {
    let delay = 1000;
    tell("connecting");
    while (!stopped) {
      const controller = new AbortController();
      current = controller;
      let watchdog: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => controller.abort(), silenceMs);
      };
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream" };
        if (lastId) headers["Last-Event-ID"] = lastId;
        arm();
        const resp = await fetch(url, { headers, signal: controller.signal });
        if (!resp.ok || !resp.body) throw new Error(`stream: ${resp.status}`);
        delay = 1000;
        tell("live");
        const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          arm();
          const parsed = parseChunk(buffer + value);
          buffer = parsed.rest;
          for (const ev of parsed.events) {
            lastId = ev.id || lastId;
            onEvent(ev);
          }
        }
      } catch {
        if (stopped) return;
      } finally {
        clearTimeout(watchdog);
      }
      tell("reconnecting");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  void run();
  return () => {
    stopped = true;
    current?.abort();
  };
}
