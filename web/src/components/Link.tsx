import type { AnchorHTMLAttributes } from "react";
import { navigate } from "../lib/router";

// Link is an in-app link: a real address (so it can be opened in a new tab
// or bookmarked) that a plain click follows without reloading the page.
export function Link({ to, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return <a href={to} onClick={(e) => (e.preventDefault(), navigate(to))} {...rest} />;
}
