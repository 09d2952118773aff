import { describe, expect, it } from "vitest";
import { countdown, idlePhase, pingThrottleMs, warnBeforeMs } from "./session";

describe("idle session", () => {
  it("warns two minutes before the end, or at half time for short sessions", () => {
    expect(warnBeforeMs(1800)).toBe(120_000);
    expect(warnBeforeMs(60)).toBe(30_000);
  });
  it("asks the server every 30 s at most, sooner when the warning window is short", () => {
    expect(pingThrottleMs(1800)).toBe(30_000);
    expect(pingThrottleMs(60)).toBe(15_000);
    // 20 s of idle: the warning shows for the last 10 s, so an answer to it
    // must reach the server within 5 s of the previous ping.
    expect(pingThrottleMs(20)).toBe(5_000);
  });
  it("is active, then warns, then expires", () => {
    const deadline = 1_000_000;
    const warn = 120_000;
    expect(idlePhase(deadline, deadline - 121_000, warn)).toEqual({ phase: "active", secondsLeft: 121 });
    expect(idlePhase(deadline, deadline - 120_000, warn)).toEqual({ phase: "warn", secondsLeft: 120 });
    expect(idlePhase(deadline, deadline - 500, warn)).toEqual({ phase: "warn", secondsLeft: 1 });
    expect(idlePhase(deadline, deadline, warn)).toEqual({ phase: "expired", secondsLeft: 0 });
    expect(idlePhase(deadline, deadline + 5_000, warn)).toEqual({ phase: "expired", secondsLeft: 0 });
  });
  it("counts down in minutes and seconds", () => {
    expect(countdown(125)).toBe("2 min 05 s");
    expect(countdown(59)).toBe("59 s");
    expect(countdown(0)).toBe("0 s");
  });
});
