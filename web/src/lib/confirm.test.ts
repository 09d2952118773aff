import { describe, expect, it } from "vitest";
import { checkPayment, Once, Submission } from "./confirm";

describe("checkPayment", () => {
  const large = 1_000_000; // 10 000,00 €
  it("lets an ordinary payment through", () => {
    expect(checkPayment(120_050, 250_000, large)).toEqual({ concerns: [], balanceAfterCents: 129_950, excessCents: 0 });
  });
  it("pays exactly what is due without asking", () => {
    expect(checkPayment(250_000, 250_000, large)).toEqual({ concerns: [], balanceAfterCents: 0, excessCents: 0 });
  });
  it("asks for a payment above what is due, with the excess", () => {
    expect(checkPayment(250_001, 250_000, large)).toEqual({ concerns: ["above_due"], balanceAfterCents: 0, excessCents: 1 });
  });
  it("asks for a large payment even when it is due", () => {
    expect(checkPayment(1_000_000, 4_400_012, large)).toEqual({ concerns: ["large"], balanceAfterCents: 3_400_012, excessCents: 0 });
    expect(checkPayment(999_999, 4_400_012, large).concerns).toEqual([]);
  });
  it("gives both reasons for the fat-finger payment", () => {
    const c = checkPayment(9_999_999_900, 250_000, large);
    expect(c.concerns).toEqual(["above_due", "large"]);
    expect(c.balanceAfterCents).toBe(0);
    expect(c.excessCents).toBe(9_999_749_900);
  });
});

describe("Submission", () => {
  it("reuses the key for the same values and changes it for others", () => {
    let n = 0;
    const s = new Submission(() => `k${++n}`);
    const a = s.keyFor({ amount: 100, on: "2026-12-02" });
    expect(s.keyFor({ amount: 100, on: "2026-12-02" })).toBe(a);
    const b = s.keyFor({ amount: 200, on: "2026-12-02" });
    expect(b).not.toBe(a);
    expect(s.keyFor({ amount: 100, on: "2026-12-02" })).not.toBe(a); // back to the first values: a new submission
    s.done();
    expect(s.keyFor({ amount: 100, on: "2026-12-02" })).toBe("k4");
  });
});

describe("Once", () => {
  it("drops a second call while the first runs", async () => {
    const o = new Once();
    let calls = 0;
    let release: () => void = () => {};
    const first = o.run(() => new Promise<void>((r) => { calls++; release = r; }));
    expect(o.busy).toBe(true);
    expect(await o.run(async () => { calls++; })).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(o.busy).toBe(false);
    expect(await o.run(async () => { calls++; })).toBe(true);
    expect(calls).toBe(2);
  });
  it("is free again after a failure", async () => {
    const o = new Once();
    await expect(o.run(() => Promise.reject(new Error("réseau")))).rejects.toThrow("réseau");
    expect(o.busy).toBe(false);
  });
});
