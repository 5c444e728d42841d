import { type SafeHtml, html } from "./html.js";

/** The document around every page. */
export function layout(title: string, body: SafeHtml, bodyClass = ""): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · realtime-bookings demo</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body class="${bodyClass}">
${body}
</body>
</html>
`;
}
