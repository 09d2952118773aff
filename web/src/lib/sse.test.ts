import { describe, expect, it } from "vitest";
import { parseChunk } from "./sse";

describe("parseChunk", () => {
  it("reads whole events, skips heartbeats and keeps a cut event for later", () => {
    const { events, rest } = parseChunk('retry: 3000\n\n: ping\n\nid: 7\nevent: promise\ndata: {"a":1}\n\nid: 8\nevent: no');
    expect(events).toEqual([{ id: "7", event: "promise", data: '{"a":1}' }]);
    expect(rest).toBe("id: 8\nevent: no");
    const next = parseChunk(rest + 'te\ndata: {"b":2}\n\n');
    expect(next.events).toEqual([{ id: "8", event: "note", data: '{"b":2}' }]);
    expect(next.rest).toBe("");
  });
});
