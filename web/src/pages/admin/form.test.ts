import { describe, expect, it } from "vitest";
import { mergeById } from "./form";

describe("mergeById", () => {
  it("appends a page without repeating rows already listed", () => {
    const got = mergeById([{ id: "a" }, { id: "new" }], [{ id: "b" }, { id: "new" }]);
    expect(got.map((x) => x.id)).toEqual(["a", "new", "b"]);
  });
});
