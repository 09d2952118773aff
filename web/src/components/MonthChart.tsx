import { useId } from "react";
import { useI18n } from "../i18n";
import { monthLabel, niceMax } from "../lib/performance";

export interface Series {
  key: string;
  label: string;
  values: number[]; // one per month
}

// MonthChart draws one value per month and series, by hand in SVG: bars
// side by side, or a line with its points. Screen readers get the chart as
// one image whose title names it and whose description says every figure;
// the same figures are in a table below it (folded away, for everyone).
export function MonthChart({ title, months, series, kind, format, testId }: {
  title: string;
  months: string[]; // "YYYY-MM", oldest first
  series: Series[];
  kind: "bars" | "line";
  format: (v: number) => string;
  testId?: string;
}) {
  const { t, lang } = useI18n();
  const id = useId();
  const W = 640, H = 200, left = 8, right = 8, top = 12, bottom = 24;
  const plotW = W - left - right, plotH = H - top - bottom;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const y = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  const slot = plotW / Math.max(1, months.length);
  const bar = (slot * 0.8) / Math.max(1, series.length);
  const description = months
    .map((m, i) => `${monthLabel(m, lang)} : ${series.map((s) => `${s.label} ${format(s.values[i] ?? 0)}`).join(", ")}`)
    .join(" ; ");
  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{`${t("perf.chartOf")} ${title} (${t("perf.max")} ${format(max)})`}</title>
        <desc id={`${id}-d`}>{description}</desc>
        <line x1={left} x2={W - right} y1={top + plotH} y2={top + plotH} className="axis" />
        <line x1={left} x2={W - right} y1={top} y2={top} className="grid" />
        {kind === "bars" &&
          series.map((s, si) =>
            s.values.map((v, i) => (
              <rect key={`${s.key}-${i}`} className={`s-${s.key}`} x={left + i * slot + slot * 0.1 + si * bar} width={Math.max(1, bar - 1)} y={y(v)} height={top + plotH - y(v)} />
            )),
          )}
        {kind === "line" &&
          series.map((s) => (
            <g key={s.key} className={`s-${s.key}`}>
              <polyline fill="none" points={s.values.map((v, i) => `${left + i * slot + slot / 2},${y(v)}`).join(" ")} />
              {s.values.map((v, i) => (
                <circle key={i} cx={left + i * slot + slot / 2} cy={y(v)} r={3} />
              ))}
            </g>
          ))}
        {months.map((m, i) =>
          (months.length - 1 - i) % Math.ceil(months.length / 6) === 0 ? (
            <text key={m} x={left + i * slot + slot / 2} y={H - 6} textAnchor="middle" className="tick">
              {monthLabel(m, lang)}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption>
        {series.length > 1 && (
          <ul className="legend">
            {series.map((s) => (
              <li key={s.key}>
                <span className={`swatch s-${s.key}`} aria-hidden="true" /> {s.label}
              </li>
            ))}
          </ul>
        )}
        <details>
          <summary>{t("perf.table")}</summary>
          <table>
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{t("perf.month")}</th>
                {series.map((s) => (
                  <th scope="col" key={s.key} className="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {months.map((m, i) => (
                <tr key={m} data-month={m}>
                  <th scope="row">{monthLabel(m, lang)}</th>
                  {series.map((s) => (
                    <td key={s.key} className="num" data-series={s.key}>
                      {format(s.values[i] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
