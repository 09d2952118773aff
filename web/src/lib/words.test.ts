import { describe, expect, it } from "vitest";
import { amountInWords, englishNumber, frenchNumber } from "./words";

describe("frenchNumber", () => {
  it("writes the edges of French numbering", () => {
    const cases: [number, string][] = [
      [0, "zéro"],
      [1, "un"],
      [16, "seize"],
      [17, "dix-sept"],
      [21, "vingt et un"],
      [22, "vingt-deux"],
      [61, "soixante et un"],
      [70, "soixante-dix"],
      [71, "soixante et onze"],
      [79, "soixante-dix-neuf"],
      [80, "quatre-vingts"],
      [81, "quatre-vingt-un"],
      [90, "quatre-vingt-dix"],
      [91, "quatre-vingt-onze"],
      [99, "quatre-vingt-dix-neuf"],
      [100, "cent"],
      [101, "cent un"],
      [180, "cent quatre-vingts"],
      [200, "deux cents"],
      [201, "deux cent un"],
      [1000, "mille"],
      [1001, "mille un"],
      [2000, "deux mille"],
      [21000, "vingt et un mille"],
      [80000, "quatre-vingt mille"],
      [200000, "deux cent mille"],
      [1_000_000, "un million"],
      [2_000_000, "deux millions"],
      [80_000_000, "quatre-vingts millions"],
      [200_000_000, "deux cents millions"],
      [1_000_000_000, "un milliard"],
      [
        99_999_999,
        "quatre-vingt-dix-neuf millions neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf",
      ],
      [-5, "moins cinq"],
    ];
    for (const [n, words] of cases) expect(frenchNumber(n), String(n)).toBe(words);
  });
  it("refuses what is not a whole number", () => {
    expect(() => frenchNumber(1.5)).toThrow(RangeError);
    expect(() => frenchNumber(Number.NaN)).toThrow(RangeError);
  });
});

describe("englishNumber", () => {
  it("writes the edges of English numbering", () => {
    const cases: [number, string][] = [
      [0, "zero"],
      [1, "one"],
      [21, "twenty-one"],
      [71, "seventy-one"],
      [80, "eighty"],
      [81, "eighty-one"],
      [91, "ninety-one"],
      [100, "one hundred"],
      [105, "one hundred and five"],
      [200, "two hundred"],
      [1000, "one thousand"],
      [1005, "one thousand and five"],
      [44_000, "forty-four thousand"],
      [1_000_000, "one million"],
      [99_999_999, "ninety-nine million nine hundred and ninety-nine thousand nine hundred and ninety-nine"],
    ];
    for (const [n, words] of cases) expect(englishNumber(n), String(n)).toBe(words);
  });
});

describe("amountInWords", () => {
  it("reads back amounts in French with euros and centimes", () => {
    expect(amountInWords(4_400_012)).toBe("quarante-quatre mille euros et douze centimes");
    expect(amountInWords(0)).toBe("zéro euro");
    expect(amountInWords(100)).toBe("un euro");
    expect(amountInWords(101)).toBe("un euro et un centime");
    expect(amountInWords(12)).toBe("douze centimes");
    expect(amountInWords(1)).toBe("un centime");
    expect(amountInWords(2_100)).toBe("vingt et un euros");
    expect(amountInWords(8_000)).toBe("quatre-vingts euros");
    expect(amountInWords(100_000_000)).toBe("un million d'euros");
    expect(amountInWords(300_000_000_000)).toBe("trois milliards d'euros");
    expect(amountInWords(100_000_050)).toBe("un million d'euros et cinquante centimes");
    expect(amountInWords(200_000_100)).toBe("deux millions un euros");
    expect(amountInWords(9_999_999_900)).toBe(
      "quatre-vingt-dix-neuf millions neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf euros",
    );
  });
  it("reads back amounts in English with euros and cents", () => {
    expect(amountInWords(4_400_012, "EUR", "en")).toBe("forty-four thousand euros and twelve cents");
    expect(amountInWords(0, "EUR", "en")).toBe("zero euros");
    expect(amountInWords(100, "EUR", "en")).toBe("one euro");
    expect(amountInWords(1, "EUR", "en")).toBe("one cent");
    expect(amountInWords(100_000_000, "EUR", "en")).toBe("one million euros");
  });
  it("names another currency by its code", () => {
    expect(amountInWords(250_05, "USD")).toBe("deux cent cinquante USD et cinq centièmes");
    expect(amountInWords(250_05, "USD", "en")).toBe("two hundred and fifty USD and five hundredths");
  });
});
