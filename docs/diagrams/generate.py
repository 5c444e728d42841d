"""Writes the docs' diagrams as plain SVG (boxes, labels, arrows): `python3 docs/diagrams/generate.py`.
The SVGs are committed; nothing renders diagrams at view time, nothing is fetched."""
from pathlib import Path

HERE = Path(__file__).parent


def svg(w, h, body, title):
    return f'''<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="t" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="14">
<title id="t">{title}</title>
<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>
<rect width="{w}" height="{h}" fill="#ffffff"/>
{body}
</svg>
'''


def box(x, y, w, h, label, sub=None, fill="#e0f2fe", stroke="#0369a1"):
    t = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
    if sub:
        t += f'<text x="{x + w / 2}" y="{y + h / 2 - 4}" text-anchor="middle" font-weight="600" fill="#0f172a">{label}</text>'
        t += f'<text x="{x + w / 2}" y="{y + h / 2 + 14}" text-anchor="middle" font-size="12" fill="#334155">{sub}</text>'
    else:
        t += f'<text x="{x + w / 2}" y="{y + h / 2 + 5}" text-anchor="middle" font-weight="600" fill="#0f172a">{label}</text>'
    return t


def arrow(x1, y1, x2, y2, label=None, dx=0, dy=-6, dash=False):
    dashed = ' stroke-dasharray="5 4"' if dash else ""
    t = f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#475569" stroke-width="1.5" marker-end="url(#a)"{dashed}/>'
    if label:
        t += f'<text x="{(x1 + x2) / 2 + dx}" y="{(y1 + y2) / 2 + dy}" text-anchor="middle" font-size="12" fill="#334155">{label}</text>'
    return t


def heading(x, y, text):
    return f'<text x="{x}" y="{y}" font-weight="700" fill="#0f172a">{text}</text>'


REDIS = dict(fill="#fee2e2", stroke="#b91c1c")
BROWSER = dict(fill="#dcfce7", stroke="#15803d")
GREY = dict(fill="#f1f5f9", stroke="#475569")

architecture = [
    box(20, 30, 170, 56, "PHP / Node app", "after every booking change", fill="#fef3c7", stroke="#b45309"),
    box(280, 20, 230, 76, "Redis", "history stream, versions, PUBLISH", **REDIS),
    arrow(190, 58, 280, 58, "publish()"),
    box(280, 170, 230, 76, "hub process", "one subscription, index by scope"),
    arrow(395, 96, 395, 170, "one SUBSCRIBE per process", dx=85, dy=4),
    box(600, 130, 190, 56, "browsers", "RealtimeBookings SDK", **BROWSER),
    box(600, 230, 190, 56, "polling fallback", "GET /version (ETag)", **GREY),
    arrow(510, 195, 600, 160, "SSE, filtered", dy=-10),
    arrow(600, 258, 510, 232, "only when SSE fails", dx=-20, dy=34, dash=True),
]
scaling = [
    heading(20, 24, "1. one process"),
    box(20, 40, 200, 56, "hub inside the app", "memoryBroker()"),
    box(20, 130, 200, 44, "browsers", **BROWSER),
    arrow(120, 96, 120, 130),
    heading(270, 24, "2. several processes on Redis"),
    box(270, 40, 260, 44, "Redis (one node)", **REDIS),
    *[part for i, x in enumerate([270, 360, 450]) for part in (box(x, 120, 80, 44, f"hub {i + 1}"), arrow(x + 40, 84, x + 40, 120))],
    box(270, 196, 260, 40, "load balancer, browsers", **BROWSER),
    heading(580, 24, "3. Sentinel / Cluster (planned)"),
    box(580, 40, 120, 44, "primary", **REDIS),
    box(720, 40, 120, 44, "replica", **REDIS),
    arrow(700, 62, 720, 62),
    box(580, 110, 260, 40, "sentinels: who is primary", **GREY),
    box(580, 180, 260, 44, "hubs follow the primary", "and catch up from the history"),
    arrow(710, 150, 710, 180),
]
deployment = [
    box(20, 60, 150, 56, "browser", "EventSource / fetch", **BROWSER),
    box(240, 20, 200, 56, "Cloudflare (optional)", "100 s idle limit", **GREY),
    box(240, 110, 200, 56, "nginx / HAProxy", "no buffering, long timeouts", **GREY),
    box(520, 60, 170, 56, "hub", "heartbeat every 25 s"),
    arrow(170, 80, 240, 52, "HTTP/2", dx=-14),
    arrow(170, 96, 240, 134),
    arrow(440, 48, 520, 78),
    arrow(440, 138, 520, 100, "HTTP/1.1", dx=14, dy=22),
]

(HERE / "architecture.svg").write_text(svg(810, 300, "\n".join(architecture), "A change is published once to Redis; each hub process holds one subscription and streams each event over SSE to the browsers allowed to see it; a version poll is the fallback."))
(HERE / "scaling.svg").write_text(svg(860, 250, "\n".join(scaling), "Scaling in three steps: one process with the in-memory broker; several hub processes on one Redis; Redis Sentinel or Cluster (planned)."))
(HERE / "deployment.svg").write_text(svg(710, 190, "\n".join(deployment), "Browser to hub through a proxy: HTTP/2 at the edge, no buffering, read timeouts longer than the heartbeat."))
